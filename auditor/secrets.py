"""Secrets the auditor needs (API tokens, an optional HIBP key, later the SMTP password), in
the operating system's keyring through `keyring`, never in a file. The config names one as
`keyring:SERVICE/NAME`. The keyring cannot list its entries, so the names (never the values)
are kept in one index entry of the auditor's own."""

from __future__ import annotations

import json
import re

import keyring
import keyring.errors

from auditor.errors import AuditorError

INDEX_SERVICE = "footprint-auditor"
INDEX_ENTRY = "secret-names"
REF = re.compile(r"^keyring:(?P<service>[^/\s]+)/(?P<name>[^/\s]+)$")
NAME = re.compile(r"^(?P<service>[^/\s]+)/(?P<name>[^/\s]+)$")


class SecretsError(AuditorError):
    """The keyring cannot be used, or a name is malformed: says what to do."""


def parse_name(text: str) -> tuple[str, str]:
    """SERVICE/NAME, or keyring:SERVICE/NAME as the config writes it."""
    m = REF.match(text) or NAME.match(text)
    if not m:
        raise SecretsError(
            f"{text!r} is not a secret's name: expected SERVICE/NAME, e.g. mastodon/med.social"
        )
    return m["service"], m["name"]


def unusable_keyring(exc: Exception, kept: str) -> str:
    """One line on a keyring that cannot be used, and how to get one: `kept` names what is
    kept there ("Secrets", "Protected facts")."""
    backend = type(keyring.get_keyring()).__module__
    return (
        f"the OS keyring ({backend}) is not usable: {str(exc).rstrip('.')}. {kept} are kept "
        "only there, never in a file: unlock or install one (on Linux a Secret Service such as "
        "GNOME Keyring or KWallet), or choose a backend explicitly with the "
        "PYTHON_KEYRING_BACKEND environment variable (see `keyring --list-backends`)"
    )


def _problem(exc: Exception) -> SecretsError:
    return SecretsError(unusable_keyring(exc, "Secrets"))


def names() -> list[str]:
    try:
        raw = keyring.get_password(INDEX_SERVICE, INDEX_ENTRY)
    except keyring.errors.KeyringError as exc:
        raise _problem(exc) from exc
    try:
        got = json.loads(raw) if raw else []
    except ValueError:
        got = []
    return [n for n in got if isinstance(n, str)]


def _save_names(found: list[str]) -> None:
    try:
        if found:
            keyring.set_password(INDEX_SERVICE, INDEX_ENTRY, json.dumps(sorted(set(found))))
        else:
            keyring.delete_password(INDEX_SERVICE, INDEX_ENTRY)
    except keyring.errors.PasswordDeleteError:
        pass
    except keyring.errors.KeyringError as exc:
        raise _problem(exc) from exc


def set_secret(name: str, value: str) -> None:
    service, entry = parse_name(name)
    if not value:
        raise SecretsError("an empty secret: nothing stored")
    try:
        keyring.set_password(service, entry, value)
    except keyring.errors.KeyringError as exc:
        raise _problem(exc) from exc
    _save_names([*names(), f"{service}/{entry}"])


def get_secret(ref: str) -> str | None:
    """The value a `keyring:SERVICE/NAME` reference names, or None when none is stored."""
    service, entry = parse_name(ref)
    try:
        return keyring.get_password(service, entry)
    except keyring.errors.KeyringError as exc:
        raise _problem(exc) from exc


def delete_secret(name: str) -> bool:
    service, entry = parse_name(name)
    try:
        keyring.delete_password(service, entry)
        gone = True
    except keyring.errors.PasswordDeleteError:
        gone = False
    except keyring.errors.KeyringError as exc:
        raise _problem(exc) from exc
    key = f"{service}/{entry}"
    if key in names():
        _save_names([n for n in names() if n != key])
        gone = True
    return gone
