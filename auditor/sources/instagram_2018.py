"""Instagram's first data download (2018-2020): flat JSON files in one folder.

`media.json` lists `photos`, `videos` and `stories` (`caption`, `taken_at`, `path`,
`location`); `comments.json` holds `media_comments` as `[when, text, owner]` triples;
`profile.json` the account (`username`, `email`, `phone_number`, `private_account`);
`account_history.json` the login and password-change history; `messages.json` the direct
conversations (`participants`, `conversation: [{sender, created_at, text}]`). Times are ISO
strings. Strings are repaired from Meta's mojibake like the newer layouts'.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterator
from typing import Any

import msgspec

from auditor.archive import Archive
from auditor.model import Account, AccountChange, Login, Message, Post, SecurityState
from auditor.sources.base import SourceImport
from auditor.sources.json_stream import RecordReader, read_json, records_in
from auditor.sources.meta_text import fix, fix_all
from auditor.sources.values import as_dict, as_list, as_str, iso_time

MARKERS = ("media.json", "profile.json")
MEDIA_KINDS = ("photos", "videos", "stories")


class _Item(msgspec.Struct):
    caption: str | None = None
    taken_at: str | None = None
    path: str | None = None
    location: str | None = None


class _Line(msgspec.Struct):
    sender: str = ""
    created_at: str | None = None
    text: str | None = None


class _Conversation(msgspec.Struct):
    participants: list[str] = msgspec.field(default_factory=list)
    conversation: list[_Line] = msgspec.field(default_factory=list)


def root(archive: Archive) -> str | None:
    """The folder holding both `media.json` and `profile.json`, if this is that layout."""
    names = set(archive.names())
    for name in archive.find("media.json"):
        folder = posixpath.dirname(name)
        prefix = f"{folder}/" if folder else ""
        if prefix + "profile.json" in names:
            return prefix
    return None


def read(archive: Archive, prefix: str, imp: SourceImport) -> SourceImport:
    names = set(archive.names())
    for base in ("media.json", "profile.json", "comments.json", "account_history.json"):
        (imp.files_found if prefix + base in names else imp.files_missing).append(prefix + base)
    profile = as_dict(
        fix_all(read_json(archive, prefix + "profile.json", imp, limit=16 << 20, what="a profile"))
    )
    handle = as_str(profile.get("username")) or None
    account = Account("instagram", handle, display_name=as_str(profile.get("name")) or None)
    imp.add_account(account, _security(archive, prefix, imp, profile, names))
    imp.posts = _posts(archive, prefix, imp, account, names)
    if prefix + "messages.json" in names:
        imp.files_found.append(prefix + "messages.json")
        imp.messages = _messages(archive, prefix + "messages.json", imp, account)
    else:
        imp.files_missing.append(prefix + "messages.json")
    return imp


def _security(
    archive: Archive, prefix: str, imp: SourceImport, profile: dict[str, Any], names: set[str]
) -> SecurityState:
    history: dict[str, Any] = {}
    if prefix + "account_history.json" in names:
        history = as_dict(
            fix_all(
                read_json(
                    archive,
                    prefix + "account_history.json",
                    imp,
                    limit=64 << 20,
                    what="an account history",
                )
            )
        )
    logins = tuple(
        Login(iso_time(r.get("timestamp")), as_str(r.get("ip_address")) or None, "login")
        for r in map(as_dict, as_list(history.get("login_history")))
    )
    changes = tuple(
        AccountChange(
            iso_time(r.get("password_change_time") or r.get("timestamp")), "Password change"
        )
        for r in map(as_dict, as_list(history.get("password_change_history")))
    )
    private = profile.get("private_account")
    email, phone = as_str(profile.get("email")), as_str(profile.get("phone_number"))
    return SecurityState(
        two_factor_notes=(
            "An Instagram export of this age shows no two-factor setting: check it under "
            "Accounts Center > Password and security > Two-factor authentication.",
        ),
        private=private if isinstance(private, bool) else None,
        private_evidence=(
            f"profile.json: private_account {str(private).lower()}"
            if isinstance(private, bool)
            else None
        ),
        emails=(email,) if email else (),
        phones=(phone,) if phone else (),
        logins=logins,
        account_changes=changes,
    )


def _posts(
    archive: Archive, prefix: str, imp: SourceImport, account: Account, names: set[str]
) -> Iterator[Post]:
    reader = RecordReader(_Item)
    if prefix + "media.json" in names:
        for kind in MEDIA_KINDS:
            for n, item in enumerate(records_in(archive, prefix + "media.json", imp, reader, kind)):
                text = fix(item.caption or "")
                if not text:
                    continue
                path = prefix + item.path if item.path else None
                yield Post(
                    id=f"{kind}:{posixpath.basename(item.path or '') or n}",
                    text=text,
                    account=account.key,
                    created_at=iso_time(item.taken_at),
                    has_media=bool(item.path),
                    media=(path,) if path and path in names else (),
                    platform="instagram",
                    place=fix(item.location) if item.location else None,
                )
    if prefix + "comments.json" not in names:
        return
    for n, triple in enumerate(
        records_in(archive, prefix + "comments.json", imp, _TRIPLES, "media_comments")
    ):
        when, text, owner = (list(triple) + [None, None, None])[:3]
        if not isinstance(text, str) or not text:
            continue
        yield Post(
            id=f"comment:{as_str(when)}:{n}",
            text=fix(text),
            account=account.key,
            created_at=iso_time(when),
            reply_to=fix(owner) if isinstance(owner, str) and owner else None,
            platform="instagram",
            kind="comment",
        )


_TRIPLES = RecordReader(list[Any])


def _messages(
    archive: Archive, name: str, imp: SourceImport, account: Account
) -> Iterator[Message]:
    me = (account.handle or "").casefold()
    for n, conv in enumerate(records_in(archive, name, imp, RecordReader(_Conversation))):
        others = sorted(fix(p) for p in conv.participants if fix(p).casefold() != me)
        for line in conv.conversation:
            if not line.text:
                continue
            yield Message(
                conversation=",".join(others) or str(n),
                account=account.key,
                from_user=bool(me) and fix(line.sender).casefold() == me,
                text=fix(line.text),
                sent_at=iso_time(line.created_at),
                platform="instagram",
            )
