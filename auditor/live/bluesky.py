"""Bluesky over XRPC: without credentials the public AppView (getProfile, then getAuthorFeed
to the end); with an app password a session on the entryway or the account's own PDS, which
also shows whether e-mail two-factor is on and which app passwords exist.

The account is keyed by its DID and each post record is turned into a Post by the repository
importer's own code, so a finding has one fingerprint whether it came from `repo.car` or from
here. XRPC answers a refusal as HTTP 400 with {"error", "message"}; the client only says
"HTTP 400", so the body of the last refused answer is kept here and names the error."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import requests

from auditor.config import AccountConfig
from auditor.live.base import Connector, Snapshot
from auditor.live.http import ApiClient, ApiError, AuthFailed, NotFound, RateLimited
from auditor.model import (
    Account,
    ConnectedApp,
    Post,
    Profile,
    SecurityState,
    Setting,
    TwoFactorMethod,
)
from auditor.sources.bluesky import NO_UNAUTHENTICATED, POST, REPOST, post_of, repost_of
from auditor.sources.values import as_dict, as_list, as_str, iso_time

PAGE = 100  # getAuthorFeed's largest page
# The AppView serves public reads and takes no login: a session opens at the entryway instead.
PUBLIC_APPVIEWS = ("public.api.bsky.app", "api.bsky.app")
ENTRYWAY = "https://bsky.social"
REASON_REPOST = "app.bsky.feed.defs#reasonRepost"
REASON_PIN = "app.bsky.feed.defs#reasonPin"
SESSION = "com.atproto.server.createSession"
PROFILE = "app.bsky.actor.getProfile"
# Refusals of the credential itself: the fix is a new app password, or a new session.
AUTH_ERRORS = ("AuthenticationRequired", "AuthMissing", "InvalidToken", "ExpiredToken")
NOT_FOUND_ERRORS = ("ActorNotFound", "RepoNotFound", "NotFound")
TWO_FACTOR_MENU = "Settings > Privacy and security > Two-factor authentication"
PUBLIC_NOTE = (
    "The public Bluesky API does not show e-mail two-factor authentication: give the account "
    "an app password (`auditor login bluesky`), or check it under " + TWO_FACTOR_MENU + "."
)


class BlueskyConnector(Connector):
    platform = "bluesky"

    def __init__(self, cfg: AccountConfig, client: ApiClient) -> None:
        super().__init__(cfg, client)
        self.session: dict[str, Any] = {}
        self.did = ""
        # the XRPC error of the last refused answer: (name, message), or None
        self.refusal: tuple[str, str] | None = None
        self.client.http.hooks["response"].append(self._keep_refusal)

    def authenticate(self, secret: str) -> None:
        """createSession with the app password on the session host; its access token then
        reads everything there (a PDS proxies app.bsky.* to the AppView)."""
        host = _session_host(self.client.base_url)
        self.refusal = None
        try:
            answer = self.client.open_session(
                f"{host}/xrpc/{SESSION}",
                json={"identifier": self.cfg.handle, "password": secret},
            )
        except ApiError as exc:
            where = urlsplit(host).netloc
            raise self._refused(exc, SESSION, where, "the app password", secret) from None
        session = as_dict(answer)
        token = as_str(session.get("accessJwt"))
        if not token or not as_str(session.get("did")).startswith("did:"):
            raise ApiError(self.client.account, f"{SESSION}: the answer holds no session")
        self.client.token = token
        self.client.base_url = host + "/"
        self.session = session

    def snapshot(self) -> Snapshot:
        actor = as_str(self.session.get("did")) or self.cfg.handle
        profile = self._get(PROFILE, {"actor": actor})
        did = as_str(profile.get("did"))
        if not did.startswith("did:"):
            raise ApiError(self.client.account, f"{PROFILE}: no account in the answer")
        self.did = did
        # the DID, as the repository importer names the account (a repository holds no handle)
        account = Account(
            "bluesky",
            did,
            role=self.cfg.role,
            display_name=as_str(profile.get("displayName")) or None,
        )
        apps: tuple[ConnectedApp, ...] = ()
        if self.session:
            apps = self._app_passwords()
        else:
            self.notes.append(
                "e-mail two-factor and app passwords: not shown without an app password "
                "(`auditor login bluesky`)"
            )
        count = profile.get("postsCount")
        return Snapshot(
            account,
            self._security(profile, apps),
            count if isinstance(count, int) and not isinstance(count, bool) else None,
            counts_reposts=False,  # post records (replies too), never the reposts
        )

    def whoami(self) -> str:
        # the session answer names the password's owner: no further call
        if self.session:
            return as_str(self.session.get("handle"))
        return as_str(self._get(PROFILE, {"actor": self.cfg.handle}).get("handle"))

    def pages(self) -> Iterator[list[Post]]:
        account = Account("bluesky", self.did)
        params: dict[str, Any] = {"actor": self.did, "limit": PAGE, "filter": "posts_with_replies"}
        cursors: set[str] = set()
        seen: set[str] = set()
        while True:
            answer = self._get("app.bsky.feed.getAuthorFeed", params)
            feed = as_list(answer.get("feed"))
            if not feed:
                return
            page = []
            for item in map(as_dict, feed):
                post = self._item(item, account)
                if post is not None and post.id not in seen:
                    seen.add(post.id)
                    page.append(post)
            yield page
            cursor = as_str(answer.get("cursor"))
            if not cursor or cursor in cursors:
                return  # the end, or a server handing back a page it gave: do not loop
            cursors.add(cursor)
            params = {**params, "cursor": cursor}

    # --- one feed item ------------------------------------------------------------------------

    def _item(self, item: dict[str, Any], account: Account) -> Post | None:
        view = as_dict(item.get("post"))
        reason = as_dict(item.get("reason"))
        kind = as_str(reason.get("$type"))
        if kind == REASON_PIN:
            # The pinned post is also in its place by time. Yielded first, an old post the
            # cache knows would end an incremental walk before the new posts under it.
            return None
        subject = as_str(view.get("uri"))
        if kind == REASON_REPOST:
            # The repost record's own key, as the importer reads it; an older AppView that
            # names no repost record leaves the reposted post's URI as the key. The reason's
            # time is the repost's createdAt unless the AppView indexed it earlier.
            did, collection, rkey = _at_uri(as_str(reason.get("uri")))
            if did != self.did or collection != REPOST or not rkey:
                if not subject:
                    return None
                rkey = f"repost:{subject}"
            record = {"createdAt": reason.get("indexedAt"), "subject": {"uri": subject}}
            return repost_of(record, rkey, account)
        did, collection, rkey = _at_uri(subject)
        if did != self.did or collection != POST or not rkey:
            return None
        return post_of(as_dict(view.get("record")), rkey, self.did, account)

    # --- security -----------------------------------------------------------------------------

    def _security(self, profile: dict[str, Any], apps: tuple[ConnectedApp, ...]) -> SecurityState:
        # the importer's setting names: the baseline reads both sources alike
        settings = []
        allow = as_str(as_dict(as_dict(profile.get("associated")).get("chat")).get("allowIncoming"))
        if allow:
            settings.append(Setting("allow_incoming_dms", allow, PROFILE))
        # The view's labels hold the profile's self-labels (set by the account itself) beside
        # those of moderation services, which are not the user's setting.
        labels = [
            as_str(label.get("val"))
            for label in map(as_dict, as_list(profile.get("labels")))
            if as_str(label.get("src")) == self.did and not label.get("neg")
        ]
        settings.append(Setting("no_unauthenticated", NO_UNAUTHENTICATED in labels, PROFILE))
        settings += [
            Setting("self_label", label, PROFILE)
            for label in dict.fromkeys(labels)
            if label and label != NO_UNAUTHENTICATED
        ]
        methods, disabled, notes = self._two_factor()
        email = as_str(self.session.get("email"))
        return SecurityState(
            two_factor_methods=methods,
            two_factor_disabled_evidence=disabled,
            two_factor_notes=notes,
            private=False,
            private_evidence="Bluesky has no private accounts: every post and profile is public",
            emails=(email,) if email else (),
            connected_apps=apps,
            settings=tuple(settings),
            profile=Profile(
                bio=as_str(profile.get("description")) or None,
                website=as_str(profile.get("website")) or None,
                source=PROFILE,
            ),
        )

    def _two_factor(
        self,
    ) -> tuple[tuple[TwoFactorMethod, ...], tuple[str, ...], tuple[str, ...]]:
        """E-mail codes are Bluesky's only second factor; the session answer says whether they
        are on. Bluesky's entryway always says; the open-source PDS never does, and there its
        silence is unknown, not off."""
        if not self.session:
            return (), (), (PUBLIC_NOTE,)
        factor = self.session.get("emailAuthFactor")
        host = urlsplit(self.client.base_url).netloc
        if factor is True:
            evidence = f"{SESSION}: emailAuthFactor true: each sign-in asks for a code by e-mail"
            return (TwoFactorMethod("email", evidence, SESSION),), (), ()
        if factor is False:
            why = f"{SESSION}: emailAuthFactor false: the password alone signs in"
            if self.session.get("emailConfirmed") is False:
                why += " (and the e-mail address, which the codes need, is not confirmed)"
            return (), (why,), ()
        return (
            (),
            (),
            (
                f"{host} does not say whether e-mail two-factor authentication is on (a "
                f"self-hosted PDS does not report it): check it under {TWO_FACTOR_MENU}.",
            ),
        )

    def _app_passwords(self) -> tuple[ConnectedApp, ...]:
        """Every app password is a key to the account that a password change leaves working;
        a privileged one also reads and sends direct messages."""
        try:
            answer = self._get("com.atproto.server.listAppPasswords")
        except RateLimited:
            raise
        except ApiError as exc:
            self.notes.append(f"app passwords: not read ({exc.message})")
            return ()
        return tuple(
            ConnectedApp(
                name=f"app password {as_str(entry.get('name'))!r}",
                permissions=(
                    ("post", "read and send direct messages")
                    if entry.get("privileged") is True
                    else ("post",)
                ),
                approved_at=iso_time(entry.get("createdAt")),
            )
            for entry in map(as_dict, as_list(answer.get("passwords")))
            if as_str(entry.get("name"))
        )

    # --- calls and refusals -------------------------------------------------------------------

    def _get(self, nsid: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
        self.refusal = None
        try:
            answer = self.client.get_json(f"/xrpc/{nsid}", params)
        except ApiError as exc:
            where = urlsplit(self.client.base_url).netloc
            raise self._refused(exc, nsid, where, "the session") from None
        if not isinstance(answer, dict):
            raise ApiError(self.client.account, f"{nsid}: the answer is not a JSON object")
        return answer

    def _keep_refusal(self, resp: requests.Response, *args: Any, **kwargs: Any) -> None:
        """A response hook: the XRPC error of a refused answer, before the client raises its
        plain "HTTP 400"."""
        self.refusal = None
        if resp.status_code < 400 or resp.status_code == 429 or resp.status_code >= 500:
            return
        try:
            body = as_dict(resp.json())
        except ValueError:
            return
        name = as_str(body.get("error"))
        if name:
            self.refusal = (name, " ".join(as_str(body.get("message")).split())[:200])

    def _refused(
        self, exc: ApiError, nsid: str, host: str, what: str, secret: str = ""
    ) -> ApiError:
        """The client's error, named by the XRPC error the server gave where it gave one."""
        if isinstance(exc, RateLimited) or (
            self.refusal is None and not isinstance(exc, AuthFailed)
        ):
            return exc
        who = self.client.account
        name, message = self.refusal or ("", "")
        if any(s and s in message for s in (secret, self.client.token)):
            message = ""  # a server echoing what it was sent: never in a report
        said = f" ({name}: {message})" if name and message else f" ({name})" if name else ""
        fix = self.client.token_fix
        if name == "AuthFactorTokenRequired":
            return AuthFailed(
                who,
                f"{nsid}: {host} asks for an e-mailed sign-in code: that is the account's main "
                f"password, never to be given here; create an app password and {fix}",
            )
        if name == "ExpiredToken":
            return AuthFailed(
                who,
                f"{nsid}: {host}: the session expired{said}: run the audit again to fetch the rest",
            )
        if isinstance(exc, AuthFailed) or name in AUTH_ERRORS:
            return AuthFailed(who, f"{nsid}: {host} refused {what}{said}: {fix}")
        if name in NOT_FOUND_ERRORS or "not found" in message.casefold():
            return NotFound(
                who,
                f"{nsid}: {host} has no account {self.cfg.handle}{said}: check the handle in "
                "the config",
            )
        return ApiError(who, f"{nsid}: {host} refused the request{said}")


def _session_host(base_url: str) -> str:
    base = base_url.rstrip("/")
    return ENTRYWAY if urlsplit(base).hostname in PUBLIC_APPVIEWS else base


def _at_uri(uri: str) -> tuple[str, str, str]:
    """at://DID/COLLECTION/RKEY as its three parts ("" where missing)."""
    if not uri.startswith("at://"):
        return "", "", ""
    did, _, rest = uri.removeprefix("at://").partition("/")
    collection, _, rkey = rest.partition("/")
    return did, collection, rkey
