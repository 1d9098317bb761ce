"""The bundled 2fa.directory snapshot (auditor/data/twofa_directory.json, MIT licence, its
provenance beside it): which second factors each site supports, and where its how-to is.

Loaded once. A site is looked up by domain, then by its parent domains ("accounts.x.com"
finds "x.com"). An empty record means the directory lists the site as offering no 2FA.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from functools import cache
from importlib import resources

SNAPSHOT_DATE = date(2026, 8, 5)  # the upstream commit's date (PROVENANCE)
# Strongest first. A security key resists phishing; an authenticator app resists SIM swaps;
# a platform's own app is about as strong as TOTP; codes by e-mail, text or call are weakest.
STRENGTH = ("u2f", "totp", "custom-hardware", "custom-software", "email", "sms", "call")
LABELS = {
    "u2f": "a security key (passkey / WebAuthn)",
    "totp": "an authenticator app (TOTP)",
    "custom-hardware": "the platform's own hardware token",
    "custom-software": "the platform's own app",
    "email": "codes by e-mail",
    "sms": "codes by text message",
    "call": "codes by phone call",
}


@dataclass(frozen=True)
class Site:
    domain: str
    methods: tuple[str, ...]  # strongest first
    documentation: str | None = None
    notes: str | None = None

    @property
    def strongest(self) -> str | None:
        return self.methods[0] if self.methods else None


@cache
def _entries() -> dict[str, dict[str, object]]:
    text = resources.files("auditor.data").joinpath("twofa_directory.json").read_text("utf-8")
    return json.loads(text)


def lookup(domain: str) -> Site | None:
    """The directory's record for a domain or its nearest parent; None when not listed."""
    name = domain.casefold().strip().rstrip(".")
    if name.startswith("www."):
        name = name[4:]
    entries = _entries()
    while name:
        rec = entries.get(name)
        if rec is not None:
            methods = [m for m in rec.get("methods", ()) if m in STRENGTH]  # type: ignore[union-attr]
            methods.sort(key=STRENGTH.index)
            doc, notes = rec.get("documentation"), rec.get("notes")
            return Site(
                name,
                tuple(methods),
                doc if isinstance(doc, str) else None,
                notes if isinstance(notes, str) else None,
            )
        _, _, name = name.partition(".")
        if "." not in name:
            return None
    return None


def age_days(today: date) -> int:
    return (today - SNAPSHOT_DATE).days


def rank(method: str) -> int:
    """Lower is stronger; a method the directory does not know ranks last."""
    return STRENGTH.index(method) if method in STRENGTH else len(STRENGTH)
