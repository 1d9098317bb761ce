"""The user's protected facts: their street, children's names, school, plate, DEA number.

They are kept in the operating system's keyring (macOS Keychain, Windows Credential Locker,
the Secret Service on Linux) through `keyring`, as one JSON list under one entry, and never in
a file: a list of the things one wants kept private is itself private. A post that mentions
one is a `content.self-exposure` finding.
"""

from __future__ import annotations

import json

import keyring
import keyring.errors

from auditor.errors import AuditorError
from auditor.secrets import unusable_keyring

SERVICE = "footprint-auditor"
ENTRY = "protected-facts"
# Shorter facts ("Al", "5") would match inside ordinary words and numbers.
MIN_LENGTH = 3


class FactsError(AuditorError):
    """The keyring cannot be used: says which backend and what to do."""


def _backend_problem(exc: Exception) -> FactsError:
    return FactsError(unusable_keyring(exc, "Protected facts"))


def load() -> tuple[str, ...]:
    """The stored facts; raises FactsError when the keyring cannot be read."""
    try:
        raw = keyring.get_password(SERVICE, ENTRY)
    except keyring.errors.KeyringError as exc:
        raise _backend_problem(exc) from exc
    if not raw:
        return ()
    try:
        facts = json.loads(raw)
    except ValueError as exc:
        raise FactsError(
            f"the keyring entry {SERVICE}/{ENTRY} is not a list of facts; remove it with your "
            "keyring's tool and add the facts again"
        ) from exc
    return tuple(f for f in facts if isinstance(f, str))


def load_quietly() -> tuple[tuple[str, ...], str | None]:
    """The facts for an audit, and why they could not be read (None when they could): an
    audit runs without them rather than not at all."""
    try:
        return load(), None
    except FactsError as exc:
        if isinstance(exc.__cause__, keyring.errors.NoKeyringError):
            return (), None  # no keyring here, so no fact can ever have been added here
        return (), str(exc)


def _store(facts: list[str]) -> None:
    try:
        if facts:
            keyring.set_password(SERVICE, ENTRY, json.dumps(facts, ensure_ascii=False))
        else:
            keyring.delete_password(SERVICE, ENTRY)
    except keyring.errors.PasswordDeleteError:
        pass  # nothing was stored
    except keyring.errors.KeyringError as exc:
        raise _backend_problem(exc) from exc


def normalise(fact: str) -> str:
    return " ".join(fact.split())


def add(fact: str) -> bool:
    """Store a fact; False when it was stored already (compared without case)."""
    fact = normalise(fact)
    if len(fact) < MIN_LENGTH:
        raise FactsError(
            f"{fact!r} is too short to look for (at least {MIN_LENGTH} characters): it would "
            "match inside ordinary words"
        )
    facts = list(load())
    if any(f.casefold() == fact.casefold() for f in facts):
        return False
    _store([*facts, fact])
    return True


def remove(fact: str) -> bool:
    """Forget a fact; False when no stored fact matches it (compared without case)."""
    fact = normalise(fact)
    facts = list(load())
    kept = [f for f in facts if f.casefold() != fact.casefold()]
    if len(kept) == len(facts):
        return False
    _store(kept)
    return True
