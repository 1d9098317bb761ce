"""HTTP for the few services the auditor calls (Have I Been Pwned's APIs, the 2fa.directory):
GET only, a timeout, our User-Agent, and bounded retries with backoff on 429 and 5xx that
honour Retry-After. Failures raise `ServiceError`, one line naming the service and what to do;
no request or response body (which could hold a hash prefix) is ever in the message."""

from __future__ import annotations

import time
from collections.abc import Callable
from urllib.parse import urlsplit

import requests

from auditor import __version__

USER_AGENT = f"footprint-auditor/{__version__}"
TIMEOUT_S = 15
RETRIES = 3
MAX_WAIT_S = 30  # a Retry-After longer than this is a failure, not a wait


class ServiceError(Exception):
    """A service could not answer; str() is one line for the user."""


def get(
    url: str,
    *,
    headers: dict[str, str] | None = None,
    session: requests.Session | None = None,
    sleep: Callable[[float], None] = time.sleep,
    accept: tuple[int, ...] = (200,),
) -> requests.Response:
    host = urlsplit(url).netloc or url
    http = session or requests
    wait = 1.0
    for attempt in range(1, RETRIES + 1):
        try:
            resp = http.get(
                url, headers={"User-Agent": USER_AGENT, **(headers or {})}, timeout=TIMEOUT_S
            )
        except requests.RequestException as exc:
            if attempt == RETRIES:
                raise ServiceError(
                    f"{host}: cannot be reached ({type(exc).__name__}); check the connection "
                    "or run with --offline"
                ) from None
            sleep(wait)
            wait *= 2
            continue
        if resp.status_code == 429 or resp.status_code >= 500:
            if attempt == RETRIES:
                raise ServiceError(
                    f"{host}: HTTP {resp.status_code} after {RETRIES} tries; run again later"
                )
            retry_after = _seconds(resp.headers.get("Retry-After"))
            if retry_after is not None and retry_after > MAX_WAIT_S:
                raise ServiceError(
                    f"{host}: asks to wait {retry_after:.0f} s (HTTP {resp.status_code}); "
                    "run again later"
                )
            sleep(retry_after if retry_after is not None else wait)
            wait *= 2
            continue
        if resp.status_code not in accept:
            raise ServiceError(f"{host}: HTTP {resp.status_code}; check [endpoints] in the config")
        return resp
    raise ServiceError(f"{host}: no answer")


def _seconds(value: str | None) -> float | None:
    try:
        return max(0.0, float(value)) if value is not None else None
    except ValueError:
        return None
