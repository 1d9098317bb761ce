"""The practice's own identity provider, read for its staff's multi-factor registration:
Microsoft 365 (Microsoft Graph's userRegistrationDetails report, with an app's client
credentials) and Google Workspace (the Admin SDK Directory's users.list, with an OAuth refresh
token). Read-only; credentials come from the keyring; paging and throttling as the services
document them. Each user is matched to a roster member by e-mail."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import requests

from auditor import net
from auditor.secrets import get_secret

# Graph's method names, by the policy level they reach (the strongest wins)
GRAPH_LEVELS = {
    "key": {
        "fido2",
        "windowsHelloForBusiness",
        "passKeyDeviceBound",
        "passKeyDeviceBoundAuthenticator",
    },
    "app": {
        "microsoftAuthenticatorPush",
        "microsoftAuthenticatorPasswordless",
        "softwareOneTimePasscode",
        "hardwareOneTimePasscode",
    },
    "sms": {"mobilePhone", "alternateMobilePhone", "officePhone", "sms", "voiceCall"},
}
LEVEL_ORDER = ("none", "sms", "app", "key")
TIMEOUT_S = 30
MAX_PAGES = 1000


class MfaSourceError(Exception):
    """The service could not be read: one line naming it and what to do."""


@dataclass(frozen=True)
class OrgMfa:
    """One user's multi-factor state as the identity provider reports it."""

    source: str  # microsoft | google
    email: str
    registered: bool
    level: str  # none | sms | app | key | unknown (registered, method not reported)
    methods: tuple[str, ...] = ()
    enforced: bool | None = None


def graph_level(methods: list[str]) -> str:
    reached = [lvl for lvl, names in GRAPH_LEVELS.items() if names & set(methods)]
    return max(reached, key=LEVEL_ORDER.index) if reached else "none"


def _secret(ref: str, service: str) -> str:
    value = get_secret(ref)
    if not value:
        name = ref.removeprefix("keyring:")
        raise MfaSourceError(f"{service}: no secret stored as {ref}: `auditor secrets set {name}`")
    return value


def _token(url: str, form: dict[str, str], service: str) -> str:
    """The one POST: an OAuth token request (nothing is written to the service)."""
    try:
        resp = requests.post(
            url, data=form, headers={"User-Agent": net.USER_AGENT}, timeout=TIMEOUT_S
        )
    except requests.RequestException as exc:
        raise MfaSourceError(f"{service}: cannot be reached ({type(exc).__name__})") from None
    if resp.status_code in (400, 401, 403):
        raise MfaSourceError(
            f"{service}: the credentials were refused (HTTP {resp.status_code}): check the "
            "client id and the stored secret, or create a new one"
        )
    if resp.status_code != 200:
        raise MfaSourceError(f"{service}: token request answered HTTP {resp.status_code}")
    try:
        return str(resp.json()["access_token"])
    except (ValueError, KeyError, TypeError):
        raise MfaSourceError(f"{service}: the token answer has no access_token") from None


def _pages(
    first: str,
    token: str,
    service: str,
    next_of: Callable[[dict[str, Any]], str | None],
    sleep: Callable[[float], None],
) -> Iterator[dict[str, Any]]:
    url: str | None = first
    for _ in range(MAX_PAGES):
        if url is None:
            return
        try:
            resp = net.get(
                url,
                headers={"Authorization": f"Bearer {token}", "Accept": "application/json"},
                sleep=sleep,
                accept=(200, 401, 403),
            )
        except net.ServiceError as exc:
            raise MfaSourceError(f"{service}: {exc}") from None
        if resp.status_code in (401, 403):
            raise MfaSourceError(
                f"{service}: HTTP {resp.status_code}: the app lacks the read permission "
                "(Graph: AuditLog.Read.All; Workspace: admin.directory.user.readonly) or its "
                "token was revoked"
            )
        try:
            page = resp.json()
        except ValueError:
            raise MfaSourceError(f"{service}: an answer that is not JSON") from None
        if not isinstance(page, dict):
            raise MfaSourceError(f"{service}: an answer of the wrong shape")
        yield page
        url = next_of(page)
    raise MfaSourceError(f"{service}: more than {MAX_PAGES} pages; stopped")


def microsoft(
    settings: dict[str, str], sleep: Callable[[float], None] = time.sleep
) -> list[OrgMfa]:
    service = "Microsoft Graph"
    login = settings.get("login_url", "https://login.microsoftonline.com").rstrip("/")
    graph = settings.get("graph_url", "https://graph.microsoft.com").rstrip("/")
    token = _token(
        f"{login}/{settings['tenant']}/oauth2/v2.0/token",
        {
            "grant_type": "client_credentials",
            "client_id": settings["client_id"],
            "client_secret": _secret(settings["client_secret"], service),
            "scope": f"{graph}/.default",
        },
        service,
    )
    first = f"{graph}/v1.0/reports/authenticationMethods/userRegistrationDetails"
    found = []
    for page in _pages(first, token, service, lambda p: p.get("@odata.nextLink"), sleep):
        for user in page.get("value", []):
            email = user.get("userPrincipalName") if isinstance(user, dict) else None
            if not isinstance(email, str):
                continue
            methods = [m for m in user.get("methodsRegistered") or [] if isinstance(m, str)]
            level = graph_level(methods)
            found.append(
                OrgMfa(
                    "microsoft",
                    email.casefold(),
                    bool(user.get("isMfaRegistered")) and level != "none",
                    level if user.get("isMfaRegistered") else "none",
                    tuple(methods),
                )
            )
    return found


def google(settings: dict[str, str], sleep: Callable[[float], None] = time.sleep) -> list[OrgMfa]:
    service = "Google Workspace"
    admin = settings.get("admin_url", "https://admin.googleapis.com").rstrip("/")
    token_url = settings.get("token_url", "https://oauth2.googleapis.com/token")
    try:
        creds = json.loads(_secret(settings["credentials"], service))
        form = {
            "grant_type": "refresh_token",
            "client_id": creds["client_id"],
            "client_secret": creds["client_secret"],
            "refresh_token": creds["refresh_token"],
        }
    except (ValueError, KeyError, TypeError):
        raise MfaSourceError(
            f"{service}: the stored credentials are not a JSON object with client_id, "
            "client_secret and refresh_token"
        ) from None
    token = _token(token_url, form, service)
    query = {"customer": settings.get("customer", "my_customer"), "maxResults": "500"}
    base = f"{admin}/admin/directory/v1/users"

    def next_of(page: dict[str, Any]) -> str | None:
        more = page.get("nextPageToken")
        return f"{base}?{urlencode({**query, 'pageToken': more})}" if more else None

    found = []
    for page in _pages(f"{base}?{urlencode(query)}", token, service, next_of, sleep):
        for user in page.get("users", []):
            email = user.get("primaryEmail") if isinstance(user, dict) else None
            if not isinstance(email, str):
                continue
            enrolled = bool(user.get("isEnrolledIn2Sv"))
            found.append(
                OrgMfa(
                    "google",
                    email.casefold(),
                    enrolled,
                    "unknown" if enrolled else "none",
                    (),
                    bool(user.get("isEnforcedIn2Sv")),
                )
            )
    return found


READERS = {"microsoft": microsoft, "google": google}
