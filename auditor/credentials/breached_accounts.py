"""Have I Been Pwned's breached-account search (GET /breachedaccount/{account}): which known
breaches hold one of the user's e-mail addresses. It needs the user's own API key (from the OS
keyring, sent only as the `hibp-api-key` header) and sends each address to HIBP, so it runs
only when the config names a key, never with --offline. Answers are not cached: they tie the
user's addresses to breaches."""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import quote

from auditor import net
from auditor.credentials.breaches import Breach


def breaches_of(
    base_url: str, api_key: str, emails: Iterable[str]
) -> dict[str, tuple[Breach, ...]]:
    """Each address's breaches (an empty tuple: in none). One request at a time: HIBP's rate
    limit is per key, and net.get waits out a 429's Retry-After."""
    out: dict[str, tuple[Breach, ...]] = {}
    base = base_url.rstrip("/")
    for email in sorted({e.strip().casefold() for e in emails if "@" in e}):
        resp = net.get(
            f"{base}/breachedaccount/{quote(email, safe='')}?truncateResponse=false",
            headers={"hibp-api-key": api_key},
            accept=(200, 401, 404),
        )
        if resp.status_code == 401:
            raise net.ServiceError(
                "haveibeenpwned.com: the API key was refused (HTTP 401): store a valid one "
                "with `auditor secrets set hibp/api-key`"
            )
        if resp.status_code == 404:  # HIBP's answer for an address in no breach
            out[email] = ()
            continue
        try:
            records = resp.json()
        except ValueError:
            raise net.ServiceError(
                "haveibeenpwned.com: the breached-account answer is not JSON; check "
                "[endpoints] hibp"
            ) from None
        found = [Breach.from_record(r) for r in (records if isinstance(records, list) else ())]
        found = [b for b in found if b is not None]
        out[email] = tuple(sorted(found, key=lambda b: b.breach_date, reverse=True))
    return out
