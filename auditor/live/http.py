"""The HTTP client of the live connectors: GET only (plus the one session POST Bluesky needs),
each platform's rate-limit headers honoured, bounded retries, and every failure one line.

A short rate-limit wait is waited out (and said on stderr); a long one stops the account with
`RateLimited`, and what was fetched is kept. A 401 or 403 is `AuthFailed`, naming the
`auditor login` command that fixes it. Tokens travel only in the Authorization header and are
never in a message."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urljoin, urlsplit

import requests

from auditor import __version__
from auditor.errors import InputError

USER_AGENT = f"footprint-auditor/{__version__} (read-only self-audit)"
TIMEOUT_S = 30
TRIES = 4  # for a 5xx, a connection error or a 429 without a hint: waits of 1, 2, 4 s
MAX_WAIT_S = 120  # a rate-limit wait longer than this stops the account instead


@dataclass(frozen=True)
class RateHeaders:
    """Where a platform puts its rate-limit state: the remaining count, and the reset as an
    epoch second, an ISO timestamp, or seconds from now."""

    remaining: str
    reset: str
    reset_is: str  # epoch | iso | seconds


RATE_HEADERS = {
    "mastodon": RateHeaders("X-RateLimit-Remaining", "X-RateLimit-Reset", "iso"),
    "bluesky": RateHeaders("RateLimit-Remaining", "RateLimit-Reset", "epoch"),
    "x": RateHeaders("x-rate-limit-remaining", "x-rate-limit-reset", "epoch"),
    "reddit": RateHeaders("X-Ratelimit-Remaining", "X-Ratelimit-Reset", "seconds"),
}


class ApiError(InputError):
    """The platform could not give what was asked; one line, naming the account."""


class AuthFailed(ApiError):
    """401 or 403: the token is revoked, expired or lacks a scope."""


class RateLimited(ApiError):
    """The platform asks to wait longer than we will: the account stops here."""


class NotFound(ApiError):
    """404: the account or object does not exist (or is hidden from this token)."""


class ApiClient:
    def __init__(
        self,
        platform: str,
        base_url: str,
        account: str,
        *,
        token: str | None = None,
        session: requests.Session | None = None,
        sleep: Callable[[float], None] | None = None,
        clock: Callable[[], float] | None = None,
        notify: Callable[[str], None] = lambda line: None,
        max_wait: float = MAX_WAIT_S,
        token_fix: str = "",
    ) -> None:
        self.platform = platform
        self.base_url = base_url.rstrip("/") + "/"
        self.account = account  # named in every message: "mastodon:drjlee@med.example"
        self.token = token
        self.http = session or requests.Session()
        # looked up now, not at import: a test fakes the clock by patching the time module
        self.sleep, self.clock = sleep or time.sleep, clock or time.time
        self.notify = notify
        self.max_wait = max_wait
        # what the user does about a refused token: store a new one under the config's name
        self.token_fix = (
            token_fix or f'give the account a token (token = "keyring:{platform}/NAME")'
        )
        self.rate = RATE_HEADERS[platform]
        self.reset_at: float | None = None  # set when the platform said none are left
        self.requests = 0
        self.user_agent = USER_AGENT  # Reddit asks for one naming the app and the user

    # --- the calls ------------------------------------------------------------------------

    def get_json(self, path: str, params: dict[str, Any] | None = None) -> Any:
        return self._json(self.get(path, params), path)

    def get(self, path: str, params: dict[str, Any] | None = None) -> requests.Response:
        url = urljoin(self.base_url, path.lstrip("/")) if "://" not in path else path
        return self._send("GET", url, params=params)

    def open_session(
        self,
        path: str,
        *,
        json: dict[str, Any] | None = None,
        data: dict[str, str] | None = None,
        auth: tuple[str, str] | None = None,
    ) -> Any:
        """The one POST a connector may send: the login a platform requires to open a read
        session (Bluesky's createSession from an app password, Reddit's access-token grant).
        `path` may be a whole URL on another host. Nothing is ever written to a platform."""
        url = urljoin(self.base_url, path.lstrip("/")) if "://" not in path else path
        kwargs: dict[str, Any] = {"json": json} if json is not None else {"data": data}
        if auth is not None:
            kwargs["auth"] = auth
        return self._json(self._send("POST", url, **kwargs), path)

    # --- the rules ------------------------------------------------------------------------

    def _send(self, method: str, url: str, **kwargs: Any) -> requests.Response:
        host = urlsplit(url).netloc
        backoff = 1.0
        for attempt in range(1, TRIES + 1):
            self._wait_for_reset()
            headers = {"User-Agent": self.user_agent, "Accept": "application/json"}
            if self.token and "auth" not in kwargs:
                headers["Authorization"] = f"Bearer {self.token}"
            try:
                resp = self.http.request(method, url, headers=headers, timeout=TIMEOUT_S, **kwargs)
            except requests.RequestException as exc:
                if attempt == TRIES:
                    raise ApiError(
                        self.account,
                        f"{host} cannot be reached ({type(exc).__name__}) after {TRIES} tries; "
                        "check the connection or the config's base_url",
                    ) from None
                self.sleep(backoff)
                backoff *= 2
                continue
            self.requests += 1
            self._note_rate(resp)
            status = resp.status_code
            if status == 429:
                wait = self._retry_after(resp)
                if wait is None:
                    if attempt == TRIES:
                        raise RateLimited(
                            self.account, f"{host} keeps answering 429 (too many requests)"
                        )
                    wait, backoff = backoff, backoff * 2
                self._pause(wait, host)
                continue
            if status >= 500:
                if attempt == TRIES:
                    raise ApiError(
                        self.account, f"{host} answered HTTP {status} {TRIES} times; try later"
                    )
                self.sleep(backoff)
                backoff *= 2
                continue
            if status in (401, 403):
                raise AuthFailed(
                    self.account,
                    f"{host} refused the token (HTTP {status}: revoked, expired or missing a "
                    f"read scope): {self.token_fix}",
                )
            if status == 404:
                raise NotFound(self.account, f"{host}: not found (HTTP 404): check the handle")
            if status >= 400:
                raise ApiError(self.account, f"{host} answered HTTP {status}")
            return resp
        raise ApiError(self.account, f"{host}: no answer")

    def _json(self, resp: requests.Response, path: str) -> Any:
        try:
            return resp.json()
        except ValueError:
            raise ApiError(
                self.account,
                f"{urlsplit(resp.url or self.base_url).netloc}{'/' + path.lstrip('/')}: the "
                "answer is not JSON (a proxy or an error page?); check the config's base_url",
            ) from None

    def _note_rate(self, resp: requests.Response) -> None:
        remaining = _number(resp.headers.get(self.rate.remaining))
        reset = self._reset_time(resp.headers.get(self.rate.reset))
        self.reset_at = reset if remaining is not None and remaining < 1 else None

    def _reset_time(self, value: str | None) -> float | None:
        if value is None:
            return None
        if self.rate.reset_is == "iso":
            try:
                return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()
            except ValueError:
                return None
        seconds = _number(value)
        if seconds is None:
            return None
        return self.clock() + seconds if self.rate.reset_is == "seconds" else seconds

    def _retry_after(self, resp: requests.Response) -> float | None:
        hint = _number(resp.headers.get("Retry-After"))
        if hint is not None:
            return max(0.0, hint)
        if self.reset_at is not None:
            return max(0.0, self.reset_at - self.clock())
        return None

    def _wait_for_reset(self) -> None:
        """None left in this window: wait for the reset before asking again."""
        if self.reset_at is None:
            return
        wait = self.reset_at - self.clock()
        self.reset_at = None
        if wait > 0:
            self._pause(wait, urlsplit(self.base_url).netloc)

    def _pause(self, wait: float, host: str) -> None:
        if wait > self.max_wait:
            raise RateLimited(
                self.account,
                f"{host} asks to wait {wait / 60:.0f} min for its rate limit; the posts fetched "
                "so far are audited and kept: run the audit again later to fetch the rest",
            )
        self.notify(f"{self.account}: rate limit reached, waiting {wait:.0f} s")
        self.sleep(wait)


def _number(value: str | None) -> float | None:
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None
