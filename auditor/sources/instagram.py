"""Instagram "download your information" export (JSON): 2018-2020, 2022 and 2023-2025 layouts.

Posts are `posts_N.json` lists under `content/` (2022), `your_instagram_activity/content/`
(2023-24) or `your_instagram_activity/media/` (2025); a carousel's caption is the post's
`title`, a single image's caption is the post's `title` or, in older exports, its first
media item's. Archived posts, stories and reels captions are the user's words too. Comments
on others' posts are audited as comments. `personal_information.json` says whether the
account is private; login activity, devices, password changes and the two-factor file are the
security evidence; labels are in the account's language (`meta_labels.toml`). The 2018-2020
layout (flat `media.json`, `profile.json`, ...) is read by `instagram_2018`. Direct messages
(`messages/inbox/...`) stream apart from the posts.
Every string is repaired from Meta's mojibake first.
"""

from __future__ import annotations

import dataclasses
import itertools
import posixpath
import re
from collections.abc import Iterator
from typing import Any

import msgspec

from auditor.archive import Archive
from auditor.model import (
    Account,
    AccountChange,
    Login,
    Post,
    Profile,
    SecurityState,
    Session,
    TwoFactorMethod,
)
from auditor.sources import instagram_2018, meta_inbox
from auditor.sources.base import Detection, Source, SourceImport
from auditor.sources.json_stream import RecordReader, read_json, records_in
from auditor.sources.meta_labels import aliases, meaning_of, words
from auditor.sources.meta_text import fix, fix_all
from auditor.sources.values import as_dict, as_list, as_str, epoch_time, iso_time

_POSTS = re.compile(
    r"(^|/)(?P<dir>content|your_instagram_activity/content|your_instagram_activity/media)"
    r"/posts_\d+\.json$"
)
_ARCHIVED = re.compile(
    r"(^|/)(content|your_instagram_activity/(content|media))/archived_posts\.json$"
)
_COMMENTS = re.compile(r"(^|/)comments/post_comments(_\d+)?\.json$")
_THREADS = re.compile(r"(^|/)threads/threads_and_replies\.json$")
_STORIES = re.compile(r"(^|/)(content|your_instagram_activity/(content|media))/stories\.json$")
_REELS = re.compile(r"(^|/)(content|your_instagram_activity/(content|media))/reels\.json$")
_LOGINS = re.compile(r"(^|/)login_activity\.json$")
_DEVICES = re.compile(r"(^|/)devices\.json$")
_PASSWORDS = re.compile(r"(^|/)password_change_activity\.json$")
_TWO_FACTOR = re.compile(r"(^|/)two-factor_authentication\.json$")
_PERSONAL = re.compile(
    r"(^|/)((account_information|personal_information(/personal_information)?)/)?"
    r"personal_information\.json$"
)
LAYOUTS = {
    "content": "instagram-2022",
    "your_instagram_activity/content": "instagram-2023",
    "your_instagram_activity/media": "instagram-2025",
}


class _Media(msgspec.Struct):
    uri: str = ""
    title: str | None = None
    creation_timestamp: int | float | None = None


class _Post(msgspec.Struct):
    media: list[_Media] = msgspec.field(default_factory=list)
    title: str | None = None
    creation_timestamp: int | float | None = None


class _ThreadMedia(msgspec.Struct):
    uri: str = ""
    title: str | None = None
    creation_timestamp: int | float | None = None


class _Thread(msgspec.Struct):
    media: list[_ThreadMedia] = msgspec.field(default_factory=list)
    title: str | None = None
    creation_timestamp: int | float | None = None


class _Value(msgspec.Struct):
    value: str = ""
    timestamp: int | float | None = None


class _Comment2022(msgspec.Struct):
    title: str = ""
    string_list_data: list[_Value] = msgspec.field(default_factory=list)


class _CommentMap(msgspec.Struct):
    string_map_data: dict[str, _Value] = msgspec.field(default_factory=dict)


class InstagramSource(Source):
    name = "instagram"
    title = "Instagram export (JSON)"

    @classmethod
    def detect(cls, archive: Archive) -> Detection | None:
        if archive.kind == "file":
            return None
        layout = None
        for name in archive.names():
            m = _POSTS.search(name)
            if m:
                layout = LAYOUTS[m.group("dir")]
                break
        if layout is None and instagram_2018.root(archive) is not None:
            layout = "instagram-2018"
        if layout is None and any(
            _PERSONAL.search(n) or _THREADS.search(n) for n in archive.names()
        ):
            layout = "instagram-profile-only"
        return Detection("instagram", layout, 9) if layout else None

    def read(self, archive: Archive, detection: Detection) -> SourceImport:
        imp = SourceImport(str(archive.path), "instagram", detection.layout)
        imp.errors.extend(archive.problems)
        old_root = instagram_2018.root(archive)
        if detection.layout == "instagram-2018" and old_root is not None:
            return instagram_2018.read(archive, old_root, imp)
        names = archive.names()
        posts = [n for n in names if _POSTS.search(n)]
        archived = [n for n in names if _ARCHIVED.search(n)]
        comments = [n for n in names if _COMMENTS.search(n)]
        threads = [n for n in names if _THREADS.search(n)]
        stories = [n for n in names if _STORIES.search(n) or _REELS.search(n)]
        personal = next((n for n in names if _PERSONAL.search(n)), None)
        imp.files_found.extend(
            posts + archived + stories + comments + threads + ([personal] if personal else [])
        )
        if not posts:
            imp.files_missing.append("your_instagram_activity/media/posts_1.json")
            imp.error(str(archive.path), "no posts_N.json file: no posts could be read")
        profile = _profile(archive, personal, imp)
        username = profile.get("username") or None
        account = Account("instagram", username, display_name=profile.get("name"))
        security = _security(archive, imp, names, profile, personal)
        imp.add_account(account, security)
        imp.posts = itertools.chain(
            _posts(archive, imp, account, posts, archived, comments),
            _stories(archive, imp, account, stories),
        )
        if threads:
            # Threads lives inside the Instagram export, signed in with the same account
            thread_account = Account("threads", username, display_name=profile.get("name"))
            # one login (so one second factor), but Threads keeps its own privacy and bio
            threads_security = dataclasses.replace(
                security, private=None, private_evidence=None, profile=None
            )
            imp.add_account(thread_account, threads_security)
            imp.posts = itertools.chain(imp.posts, _threads(archive, imp, thread_account, threads))
        inbox = meta_inbox.thread_files(names)
        if not inbox:
            imp.files_missing.append("your_instagram_activity/messages/inbox/")
        own = [username, profile.get("name")]
        imp.messages = meta_inbox.messages(archive, imp, inbox, account.key, own, "instagram")
        return imp


def _profile(archive: Archive, name: str | None, imp: SourceImport) -> dict[str, str]:
    """The personal information fields we use, by meaning, whatever the export's language."""
    if name is None:
        imp.files_missing.append("personal_information/personal_information.json")
        imp.error(
            str(archive.path),
            "no personal_information.json: whether the account is private is unknown",
        )
        return {}
    where = archive.display(name)
    data = fix_all(read_json(archive, name, imp, limit=16 << 20, what="a profile file"))
    records = data.get("profile_user") if isinstance(data, dict) else None
    fields = (records[0] if isinstance(records, list) and records else {}) or {}
    string_map = fields.get("string_map_data") if isinstance(fields, dict) else None
    if not isinstance(string_map, dict):
        imp.error(where, "no profile_user record of the expected shape")
        return {}
    out: dict[str, str] = {}
    for meaning, labels in aliases("instagram_profile").items():
        for label in labels:
            entry = string_map.get(label)
            if isinstance(entry, dict) and isinstance(entry.get("value"), str):
                out[meaning] = entry["value"]
                break
    if "private" not in out:
        imp.error(where, "no private-account field in a language we know: privacy unknown")
    return out


def _security(
    archive: Archive,
    imp: SourceImport,
    names: list[str],
    profile: dict[str, str],
    source: str | None,
) -> SecurityState:
    flag = profile.get("private", "").strip().lower()
    private = {"true": True, "false": False}.get(flag)
    wanted = {
        "logins": (_LOGINS, "login_activity.json"),
        "devices": (_DEVICES, "devices.json"),
        "passwords": (_PASSWORDS, "password_change_activity.json"),
        "two_factor": (_TWO_FACTOR, "two-factor_authentication.json"),
    }
    found = {
        kind: next((n for n in names if pattern.search(n)), None)
        for kind, (pattern, _) in wanted.items()
    }
    for kind, name in found.items():
        if name:
            imp.files_found.append(name)
        else:
            imp.files_missing.append(wanted[kind][1])
    logins = tuple(
        Login(_when(record, fields), fields.get("ip"), "login")
        for record, fields in _string_maps(archive, imp, found["logins"])
    )
    sessions = tuple(
        Session(fields.get("user_agent") or "unknown device", None, _when(record, fields))
        for record, fields in _string_maps(archive, imp, found["devices"], stamp="last_login")
    )
    changes = tuple(
        AccountChange(_when(record, fields), "Password change", fields.get("ip"))
        for record, fields in _string_maps(archive, imp, found["passwords"])
    )
    methods, disabled, notes = _two_factor(archive, imp, found["two_factor"])
    return SecurityState(
        two_factor_methods=methods,
        two_factor_disabled_evidence=disabled,
        two_factor_notes=notes,
        private=private,
        private_evidence=(
            f"{posixpath.basename(source)}: private account {flag}" if source and flag else None
        ),
        emails=(profile["email"],) if profile.get("email") else (),
        phones=(profile["phone"],) if profile.get("phone") else (),
        logins=logins,
        sessions=sessions,
        account_changes=changes,
        profile=(
            Profile(
                bio=profile.get("bio") or None,
                website=profile.get("website") or None,
                source=posixpath.basename(source),
            )
            # the export names no empty bio: without one the profile is unknown, not empty
            if source and (profile.get("bio") or profile.get("website"))
            else None
        ),
    )


def _string_maps(
    archive: Archive, imp: SourceImport, name: str | None, stamp: str = "time"
) -> Iterator[tuple[dict[str, Any], dict[str, Any]]]:
    """Each record of a string-map file with its fields by meaning (`ip`, `time`, ...), in any
    language we know; `stamp` names the field whose timestamp is the record's time."""
    if name is None:
        return
    value = fix_all(read_json(archive, name, imp, limit=64 << 20, what="a security file"))
    lists = [v for v in as_dict(value).values() if isinstance(v, list)] or [as_list(value)]
    for record in (as_dict(r) for records in lists for r in records):
        fields: dict[str, Any] = {}
        for label, entry in as_dict(record.get("string_map_data")).items():
            meaning = meaning_of(label, "instagram_login")
            entry = as_dict(entry)
            if meaning == stamp:
                fields["time"] = epoch_time(entry.get("timestamp"))
            elif meaning and as_str(entry.get("value")):
                fields[meaning] = as_str(entry.get("value"))
        yield record, fields


def _when(record: dict[str, Any], fields: dict[str, Any]) -> Any:
    # a login record's title is its ISO time; its Time field the same as a timestamp
    return fields.get("time") or iso_time(record.get("title"))


def _two_factor(
    archive: Archive, imp: SourceImport, name: str | None
) -> tuple[tuple[TwoFactorMethod, ...], tuple[str, ...], tuple[str, ...]]:
    """The two-factor file, whose shape varies: its labelled values, read by meaning."""
    if name is None:
        return (
            (),
            (),
            (
                "This Instagram export has no two-factor file: check it under Accounts Center "
                "> Password and security > Two-factor authentication.",
            ),
        )
    value = fix_all(read_json(archive, name, imp, limit=16 << 20, what="a two-factor file"))
    pairs = list(_labelled(value))
    base = posixpath.basename(name)
    method = next((v for k, v in pairs if k.casefold() in words("two_factor", "method")), None)
    state = next((v for k, v in pairs if k.casefold() in words("two_factor", "state")), None)
    kinds = [
        kind
        for kind in ("totp", "key", "sms")
        for _, v in pairs
        if v.casefold() in words("two_factor", kind)
    ]
    if kinds:
        evidence = f"{base}: {method or kinds[0]}"
        return tuple(TwoFactorMethod(k, evidence, name) for k in dict.fromkeys(kinds)), (), ()
    if state and state.casefold() in words("two_factor", "on"):
        return (TwoFactorMethod("unspecified", f"{base}: {state}", name),), (), ()
    if state and state.casefold() in words("two_factor", "off"):
        return (), (f"{base}: {state}",), ()
    return (), (), (f"{base} has no state we can read (another language?): 2FA unknown.",)


def _labelled(value: Any) -> Iterator[tuple[str, str]]:
    """(label, value) pairs of Meta's string-map and label-values records, at any depth."""
    if isinstance(value, list):
        for v in value:
            yield from _labelled(v)
    elif isinstance(value, dict):
        for label, entry in as_dict(value.get("string_map_data")).items():
            if as_str(as_dict(entry).get("value")):
                yield label, as_str(as_dict(entry).get("value"))
        if isinstance(value.get("label"), str) and as_str(value.get("value")):
            yield value["label"], as_str(value["value"])
            if as_str(value.get("ent_field_name")):
                yield as_str(value["ent_field_name"]), as_str(value["value"])
        for key, v in value.items():
            if key not in ("string_map_data",) and isinstance(v, list | dict):
                yield from _labelled(v)


def _posts(
    archive: Archive,
    imp: SourceImport,
    account: Account,
    posts: list[str],
    archived: list[str],
    comments: list[str],
) -> Iterator[Post]:
    names = set(archive.names())
    reader = RecordReader(_Post)
    for name in posts:
        for record in records_in(archive, name, imp, reader):
            yield _post(record, account, names, name)
    for name in archived:
        for record in records_in(archive, name, imp, reader, "ig_archived_post_media"):
            yield _post(record, account, names, name, visibility="archived")
    for name in comments:
        yield from _comments(archive, name, imp, account)


def _stories(
    archive: Archive, imp: SourceImport, account: Account, files: list[str]
) -> Iterator[Post]:
    """Stories (`ig_stories`: one media item each) and reels (`ig_reels_media`: post-shaped)."""
    names = set(archive.names())
    media_reader, post_reader = RecordReader(_Media), RecordReader(_Post)
    for name in files:
        if name.endswith("stories.json"):
            for m in records_in(archive, name, imp, media_reader, "ig_stories"):
                record = _Post(media=[m], title=m.title, creation_timestamp=m.creation_timestamp)
                if record.title:
                    yield _post(record, account, names, name, kind="story")
        else:
            for record in records_in(archive, name, imp, post_reader, "ig_reels_media"):
                post = _post(record, account, names, name, kind="reel")
                if post.text:
                    yield post


def _post(
    record: _Post,
    account: Account,
    names: set[str],
    source: str,
    visibility: str | None = None,
    kind: str = "post",
) -> Post:
    first = record.media[0] if record.media else _Media()
    caption = fix(record.title or first.title or "")
    when = record.creation_timestamp or first.creation_timestamp
    root = (
        source.split("content/")[0]
        if "content/" in source
        else source.split("your_instagram_activity/")[0]
    )
    media = tuple(root + m.uri for m in record.media if m.uri and root + m.uri in names)
    key = posixpath.basename(first.uri) if first.uri else ""
    return Post(
        id=f"{kind}:{int(when or 0)}:{key}" if kind != "post" else f"{int(when or 0)}:{key}",
        text=caption,
        account=account.key,
        created_at=epoch_time(when),
        has_media=bool(record.media),
        media=media,
        platform="instagram",
        visibility=visibility,
    )


def _threads(
    archive: Archive, imp: SourceImport, account: Account, files: list[str]
) -> Iterator[Post]:
    reader = RecordReader(_Thread)
    for name in files:
        records = records_in(archive, name, imp, reader, "text_post_app_text_posts")
        for n, record in enumerate(records):
            first = record.media[0] if record.media else _ThreadMedia()
            when = record.creation_timestamp or first.creation_timestamp
            yield Post(
                id=f"{int(when or 0)}:{n}",
                text=fix(record.title or first.title or ""),
                account=account.key,
                created_at=epoch_time(when),
                has_media=any(m.uri for m in record.media),
                platform="threads",
                # is_reply is in the export, but not whom the reply answers: reply_to stays empty
            )


def _comments(archive: Archive, name: str, imp: SourceImport, account: Account) -> Iterator[Post]:
    records = records_in(
        archive,
        name,
        imp,
        RecordReader(_Comment2022),
        "comments_media_comments",
        array_reader=RecordReader(_CommentMap),
    )
    for n, record in enumerate(records):
        if isinstance(record, _Comment2022):
            values = record.string_list_data
            owner = fix(record.title)
        else:
            data = {fix(k): v for k, v in record.string_map_data.items()}
            comment = next((v for k, v in data.items() if "omment" in k), None)
            values = [comment] if comment else []
            owner = next(
                (fix(v.value) for k, v in data.items() if "wner" in k or "roprietario" in k), ""
            )
        for value in values:
            text = fix(value.value)
            if not text:
                continue
            yield Post(
                id=f"comment:{int(value.timestamp or 0)}:{n}",
                text=text,
                account=account.key,
                created_at=epoch_time(value.timestamp),
                reply_to=owner or None,
                platform="instagram",
                kind="comment",
            )
