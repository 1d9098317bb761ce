"""Facebook "Download Your Information" export, JSON, in its three folder generations.

| generation | posts folder |
|---|---|
| 2018-2021 | `posts/your_posts_N.json` |
| 2022-2023 | `your_activity_across_facebook/posts/your_posts__check_ins__...N.json` |
| 2024 on   | `your_facebook_activity/posts/...` |

Posts are a top-level list (`data[].post` is the text; a photo's caption is its
`media.description`; a note's text is the user's words too; check-in places and tagged people
are kept on the post); album photos with a caption of their own count as posts; comments on
others' posts are `comments.json`, audited as comments. Security evidence comes from
`security_and_login_information/` (two-factor file where newer exports have it, login
protection, active sessions and recognised devices, login history, account changes),
connected apps and the friend count. Values Facebook writes in the account's language are
matched through `meta_labels.toml`.
Messenger threads (`messages/inbox/...`) stream apart as direct messages. Every
string is repaired from Meta's mojibake. An export requested as HTML cannot be read: it is
named, with how to request JSON instead.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator
from typing import Any

import msgspec

from auditor.archive import Archive
from auditor.errors import InputError
from auditor.model import (
    Account,
    AccountChange,
    ConnectedApp,
    Login,
    Post,
    SecurityState,
    Session,
    Setting,
    TwoFactorMethod,
)
from auditor.sources import meta_inbox
from auditor.sources.base import Detection, Source, SourceImport
from auditor.sources.json_stream import RecordReader, read_json, records_in
from auditor.sources.meta_labels import words
from auditor.sources.meta_text import fix, fix_all
from auditor.sources.values import as_dict, as_list, as_str, epoch_time

_POSTS = re.compile(r"(^|/)your_posts(__check_ins__photos_and_videos)?_\d+\.(json|html)$")
_GENERATIONS = (
    ("your_facebook_activity/", "facebook-2024"),
    ("your_activity_across_facebook/", "facebook-2022"),
)
_COMMENTS = re.compile(r"(^|/)comments(_and_reactions)?/comments\.json$")
_ALBUMS = re.compile(r"(^|/)posts/album/\d+\.json$")
_SECURITY = "security_and_login_information/"
_APPS = re.compile(r"(^|/)(connected_)?apps_and_websites\.json$")
_FRIENDS = re.compile(r"(^|/)(your_)?friends\.json$")
HTML_HELP = (
    "this Facebook export is in HTML, which cannot be audited: request it again with Format "
    "JSON (Settings & privacy > Settings > Accounts Center > Your information and permissions "
    "> Download your information)"
)


class _Media(msgspec.Struct):
    uri: str = ""
    description: str | None = None
    creation_timestamp: int | float | None = None


class _Place(msgspec.Struct):
    name: str = ""
    address: str | None = None


class _Note(msgspec.Struct):
    title: str | None = None
    text: str | None = None


class _AttachmentData(msgspec.Struct):
    media: _Media | None = None
    place: _Place | None = None
    note: _Note | None = None
    text: str | None = None


class _Tag(msgspec.Struct):
    name: str = ""


class _Attachment(msgspec.Struct):
    data: list[_AttachmentData] = msgspec.field(default_factory=list)


class _Data(msgspec.Struct):
    post: str | None = None


class _FbPost(msgspec.Struct):
    timestamp: int | float | None = None
    title: str | None = None
    data: list[_Data] = msgspec.field(default_factory=list)
    attachments: list[_Attachment] = msgspec.field(default_factory=list)
    # plain names in most exports; {"name": ...} objects in some
    tags: list[str | _Tag] = msgspec.field(default_factory=list)


class _Album(msgspec.Struct):
    name: str = ""
    photos: list[_Media] = msgspec.field(default_factory=list)


class _CommentText(msgspec.Struct):
    timestamp: int | float | None = None
    comment: str | None = None


class _CommentData(msgspec.Struct):
    comment: _CommentText | None = None


class _Comment(msgspec.Struct):
    timestamp: int | float | None = None
    title: str | None = None
    data: list[_CommentData] = msgspec.field(default_factory=list)


class FacebookSource(Source):
    name = "facebook"
    title = "Facebook export (JSON)"

    @classmethod
    def detect(cls, archive: Archive) -> Detection | None:
        if archive.kind == "file":
            return None
        names = archive.names()
        posts = [n for n in names if _POSTS.search(n)]
        profile = any(n.endswith("profile_information/profile_information.json") for n in names)
        if not posts and not profile:
            return None
        layout = "facebook-2018"
        for marker, generation in _GENERATIONS:
            if any(marker in n for n in names):
                layout = generation
                break
        if posts and all(n.endswith(".html") for n in posts):
            layout = "facebook-html"
        return Detection("facebook", layout, 9)

    def read(self, archive: Archive, detection: Detection) -> SourceImport:
        if detection.layout == "facebook-html":
            raise InputError(str(archive.path), HTML_HELP)
        imp = SourceImport(str(archive.path), "facebook", detection.layout)
        imp.errors.extend(archive.problems)
        names = archive.names()
        posts = sorted(n for n in names if _POSTS.search(n) and n.endswith(".json"))
        comments = [n for n in names if _COMMENTS.search(n)]
        albums = sorted(n for n in names if _ALBUMS.search(n))
        imp.files_found.extend(posts + comments + albums)
        if not posts:
            imp.files_missing.append("your_posts_1.json")
            imp.error(str(archive.path), "no your_posts file: no posts could be read")
        profile = _json(archive, _first(names, "profile_information/profile_information.json"), imp)
        info = as_dict(as_dict(profile).get("profile_v2"))
        name = fix(as_str(as_dict(info.get("name")).get("full_name"))) or None
        account = Account("facebook", None, display_name=name, label=name or "profile")
        imp.add_account(account, _security(archive, names, imp, info))
        imp.posts = _posts(archive, imp, account, posts, comments, albums)
        threads = meta_inbox.thread_files(names)
        if not threads:
            imp.files_missing.append("messages/inbox/")
        imp.messages = meta_inbox.messages(archive, imp, threads, account.key, [name], "facebook")
        return imp


def _first(names: list[str], suffix: str) -> str | None:
    return next((n for n in names if n.endswith(suffix)), None)


def _json(archive: Archive, name: str | None, imp: SourceImport) -> Any:
    """A small settings file, whole, repaired; None (and a coverage error) when unreadable."""
    if name is None:
        return None
    imp.files_found.append(name)
    return fix_all(read_json(archive, name, imp, limit=64 << 20, what="a settings file"))


def _security(
    archive: Archive, names: list[str], imp: SourceImport, profile: dict[str, Any]
) -> SecurityState:
    security = [n for n in names if _SECURITY in n]
    methods: list[TwoFactorMethod] = []
    disabled: list[str] = []
    notes: list[str] = []
    tfa_file = next((n for n in security if n.endswith("two-factor_authentication.json")), None)
    if tfa_file:
        state = _label_value(_json(archive, tfa_file, imp), "State")
        if state and state.casefold() in words("two_factor", "on"):
            methods.append(
                TwoFactorMethod(
                    "unspecified", f"two-factor_authentication.json: State {state}", tfa_file
                )
            )
        elif state and state.casefold() in words("two_factor", "off"):
            disabled.append(f"two-factor_authentication.json: State {state}")
        elif state:
            notes.append(
                f"two-factor_authentication.json: State {state!r} is a word we do not know "
                "(an export in another language?): 2FA unknown."
            )
    else:
        imp.files_missing.append(_SECURITY + "two-factor_authentication.json")
        notes.append(
            "This Facebook export has no two-factor file (older exports never do): 2FA unknown."
        )
    sessions_file = next((n for n in security if n.endswith("where_you're_logged_in.json")), None)
    sessions = tuple(
        Session(
            fix(as_str(r.get("app")) or as_str(r.get("device")) or "unknown client"),
            epoch_time(r.get("created_timestamp")),
            epoch_time(r.get("updated_timestamp")),
        )
        for r in _records(_json(archive, sessions_file, imp), "active_sessions")
    )
    devices_file = next((n for n in security if n.endswith("recognized_devices.json")), None)
    sessions += tuple(
        Session(
            fix(as_str(r.get("name")) or "recognised device"),
            epoch_time(r.get("created_timestamp")),
            epoch_time(r.get("updated_timestamp")),
        )
        for r in _records(_json(archive, devices_file, imp), "recognized_devices")
    )
    logins: list[Login] = []
    for stem, file_stem in (
        ("account_activity", "account_activity.json"),
        ("account_accesses", "logins_and_logouts.json"),
    ):
        found = next((n for n in security if n.endswith(file_stem)), None)
        logins += [
            Login(
                epoch_time(r.get("timestamp")),
                as_str(r.get("ip_address")) or None,
                fix(as_str(r.get("action"))) or "login",
                fix(as_str(r.get("country"))) or None,
            )
            for r in _records(_json(archive, found, imp), stem)
        ]
    if not any(n.endswith(("account_activity.json", "logins_and_logouts.json")) for n in security):
        imp.files_missing.append(_SECURITY + "account_activity.json")
    records_file = next(
        (n for n in security if n.endswith(("record_details.json", "administrative_records.json"))),
        None,
    )
    changes = tuple(
        AccountChange(
            epoch_time(as_dict(r.get("session")).get("created_timestamp") or r.get("timestamp")),
            fix(as_str(r.get("event"))) or "account change",
            as_str(as_dict(r.get("session")).get("ip_address")) or None,
        )
        for r in _records(_json(archive, records_file, imp), "admin_records")
    )
    protection_file = next((n for n in security if n.endswith("login_protection_data.json")), None)
    protection = _records(_json(archive, protection_file, imp), "login_protection_data")
    apps_file = next((n for n in names if _APPS.search(n)), None)
    apps = tuple(
        ConnectedApp(
            fix(as_str(r.get("name"))) or "unnamed app", (), epoch_time(r.get("added_timestamp"))
        )
        for r in _records(_json(archive, apps_file, imp), "installed_apps")
        if r.get("category") != "removed"
    )
    friends_file = next((n for n in names if _FRIENDS.search(n)), None)
    friends = _records(_json(archive, friends_file, imp), "friends") if friends_file else None
    emails = tuple(
        as_str(e) for e in as_list(as_dict(profile.get("emails")).get("emails")) if as_str(e)
    )
    phones = tuple(
        as_str(as_dict(p).get("phone_number"))
        for p in as_list(profile.get("phone_numbers"))
        if as_dict(p).get("phone_number")
    )
    settings = ()
    if protection_file:
        # cookies, IP addresses and places Facebook uses to recognise the user's own logins
        settings = (
            Setting("login_protection_entries", len(protection), "login_protection_data.json"),
        )
    return SecurityState(
        two_factor_methods=tuple(methods),
        two_factor_disabled_evidence=tuple(disabled),
        two_factor_notes=tuple(notes),
        emails=emails,
        phones=phones,
        logins=tuple(logins),
        sessions=sessions,
        connected_apps=apps,
        settings=settings,
        connections=len(friends) if friends is not None else None,
        account_changes=changes,
    )


def _records(value: Any, stem: str) -> list[dict[str, Any]]:
    """The records of `{"<stem>_v2": [...]}` (or the older unsuffixed key, or a bare list)."""
    if isinstance(value, list):
        return [r for r in value if isinstance(r, dict)]
    value = as_dict(value)
    for key in (f"{stem}_v2", stem):
        if isinstance(value.get(key), list):
            return [r for r in value[key] if isinstance(r, dict)]
    return []


def _label_value(value: Any, field: str) -> str | None:
    """A value of Meta's label_values records by its stable `ent_field_name`."""
    for entry in as_list(as_dict(value).get("label_values")):
        entry = as_dict(entry)
        if entry.get("ent_field_name") == field:
            return as_str(entry.get("value")) or None
    return None


def _posts(
    archive: Archive,
    imp: SourceImport,
    account: Account,
    posts: list[str],
    comments: list[str],
    albums: list[str],
) -> Iterator[Post]:
    names = set(archive.names())
    reader = RecordReader(_FbPost)
    captioned: set[str] = set()  # photos whose caption a post already carried
    for name in posts:
        root = name[: name.index("posts/")] if "posts/" in name else ""
        for n, record in enumerate(records_in(archive, name, imp, reader)):
            post = _post(record, n, root, names, account)
            captioned.update(post.media)
            yield post
    album_reader = RecordReader(_Album)
    for name in albums:
        root = name[: name.index("posts/")]
        for album in records_in(archive, name, imp, album_reader):
            for photo in album.photos:
                path = root + photo.uri
                if not photo.description or path in captioned:
                    continue
                yield Post(
                    id=f"album:{posixpath.basename(photo.uri)}",
                    text=fix(photo.description),
                    account=account.key,
                    created_at=epoch_time(photo.creation_timestamp),
                    has_media=True,
                    media=(path,) if path in names else (),
                    platform="facebook",
                )
    comment_reader = RecordReader(_Comment)
    for name in comments:
        records = records_in(archive, name, imp, comment_reader, ("comments_v2", "comments"))
        for n, record in enumerate(records):
            for d in record.data:
                text = fix(d.comment.comment or "") if d.comment else ""
                if not text:
                    continue  # some records keep only the title: the text was not exported
                when = d.comment.timestamp or record.timestamp
                yield Post(
                    id=f"comment:{int(when or 0)}:{n}",
                    text=text,
                    account=account.key,
                    created_at=epoch_time(when),
                    platform="facebook",
                    kind="comment",
                )


def _post(record: _FbPost, n: int, root: str, names: set[str], account: Account) -> Post:
    parts = [fix(d.post) for d in record.data if d.post]
    if not record.attachments and not record.tags:
        return Post(
            id=f"{int(record.timestamp or 0)}:{n}",
            text="\n".join(parts),
            account=account.key,
            created_at=epoch_time(record.timestamp),
            platform="facebook",
        )
    items = [a for att in record.attachments for a in att.data]
    media = [a.media for a in items if a.media]
    parts += [fix(a.note.text) for a in items if a.note and a.note.text]
    parts += [fix(a.text) for a in items if a.text]
    if not parts:
        parts = [fix(m.description) for m in media if m.description]
    place = next((a.place for a in items if a.place and a.place.name), None)
    tagged = tuple(fix(t if isinstance(t, str) else t.name) for t in record.tags)
    return Post(
        id=f"{int(record.timestamp or 0)}:{n}",
        text="\n".join(parts),
        account=account.key,
        created_at=epoch_time(record.timestamp),
        has_media=bool(media),
        media=tuple(root + m.uri for m in media if root + m.uri in names),
        platform="facebook",
        place=fix(", ".join(p for p in (place.name, place.address) if p)) if place else None,
        tagged=tuple(t for t in tagged if t),
    )
