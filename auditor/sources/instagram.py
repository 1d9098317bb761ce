"""Instagram "download your information" export (JSON), 2022 and 2023-2025 layouts.

Posts are `posts_N.json` lists under `content/` (2022), `your_instagram_activity/content/`
(2023-24) or `your_instagram_activity/media/` (2025); a carousel's caption is the post's
`title`, a single image's caption is the post's `title` or, in older exports, its first
media item's. Archived posts are the user's words too. Comments on others' posts are audited
as comments. `personal_information.json` says whether the account is private, with labels in
the account's language. Direct messages (`messages/inbox/...`) stream apart from the posts.
Every string is repaired from Meta's mojibake first.
"""

from __future__ import annotations

import itertools
import posixpath
import re
import tomllib
from collections.abc import Iterator
from functools import cache
from importlib import resources

import msgspec

from auditor.archive import Archive
from auditor.model import Account, Post, SecurityState
from auditor.sources import meta_inbox
from auditor.sources.base import Detection, Source, SourceImport
from auditor.sources.json_stream import RecordReader, read_json, records_in
from auditor.sources.meta_text import fix, fix_all
from auditor.sources.values import epoch_time

_POSTS = re.compile(
    r"(^|/)(?P<dir>content|your_instagram_activity/content|your_instagram_activity/media)"
    r"/posts_\d+\.json$"
)
_ARCHIVED = re.compile(
    r"(^|/)(content|your_instagram_activity/(content|media))/archived_posts\.json$"
)
_COMMENTS = re.compile(r"(^|/)comments/post_comments(_\d+)?\.json$")
_THREADS = re.compile(r"(^|/)threads/threads_and_replies\.json$")
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


@cache
def labels() -> dict[str, tuple[str, ...]]:
    text = resources.files("auditor.sources").joinpath("instagram_labels.toml").read_text("utf-8")
    return {k: tuple(v) for k, v in tomllib.loads(text).items()}


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
        if layout is None and any(
            _PERSONAL.search(n) or _THREADS.search(n) for n in archive.names()
        ):
            layout = "instagram-profile-only"
        return Detection("instagram", layout, 9) if layout else None

    def read(self, archive: Archive, detection: Detection) -> SourceImport:
        imp = SourceImport(str(archive.path), "instagram", detection.layout)
        imp.errors.extend(archive.problems)
        names = archive.names()
        posts = [n for n in names if _POSTS.search(n)]
        archived = [n for n in names if _ARCHIVED.search(n)]
        comments = [n for n in names if _COMMENTS.search(n)]
        threads = [n for n in names if _THREADS.search(n)]
        personal = next((n for n in names if _PERSONAL.search(n)), None)
        imp.files_found.extend(
            posts + archived + comments + threads + ([personal] if personal else [])
        )
        if not posts:
            imp.files_missing.append("your_instagram_activity/media/posts_1.json")
            imp.error(str(archive.path), "no posts_N.json file: no posts could be read")
        profile = _profile(archive, personal, imp)
        username = profile.get("username") or None
        account = Account("instagram", username, display_name=profile.get("name"))
        security = _security(profile, personal)
        imp.add_account(account, security)
        imp.posts = _posts(archive, imp, account, posts, archived, comments)
        if threads:
            # Threads lives inside the Instagram export, signed in with the same account
            thread_account = Account("threads", username, display_name=profile.get("name"))
            imp.add_account(thread_account, security)
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
    for meaning, aliases in labels().items():
        for label in aliases:
            entry = string_map.get(label)
            if isinstance(entry, dict) and isinstance(entry.get("value"), str):
                out[meaning] = entry["value"]
                break
    if "private" not in out:
        imp.error(where, "no private-account field in a language we know: privacy unknown")
    return out


def _security(profile: dict[str, str], source: str | None) -> SecurityState:
    flag = profile.get("private", "").strip().lower()
    private = {"true": True, "false": False}.get(flag)
    return SecurityState(
        two_factor_notes=(
            "This Instagram export shows no two-factor setting: check it under Accounts Center "
            "> Password and security > Two-factor authentication.",
        ),
        private=private,
        private_evidence=(
            f"{posixpath.basename(source)}: private account {flag}" if source and flag else None
        ),
        emails=(profile["email"],) if profile.get("email") else (),
        phones=(profile["phone"],) if profile.get("phone") else (),
    )


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


def _post(
    record: _Post, account: Account, names: set[str], source: str, visibility: str | None = None
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
        id=f"{int(when or 0)}:{key}",
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
