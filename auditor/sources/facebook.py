"""Facebook "Download Your Information" export, JSON, in its three folder generations.

| generation | posts folder |
|---|---|
| 2018-2021 | `posts/your_posts_N.json` |
| 2022-2023 | `your_activity_across_facebook/posts/your_posts__check_ins__...N.json` |
| 2024 on   | `your_facebook_activity/posts/...` |

Posts are a top-level list (`data[].post` is the text; a photo's caption is its
`media.description`); comments on others' posts are `comments.json`, audited as comments.
Security evidence comes from `security_and_login_information/` (two-factor file where newer
exports have it, active sessions, login activity), connected apps and the friend count.
Messenger threads (`messages/inbox/...`) stream apart as direct messages. Every
string is repaired from Meta's mojibake. An export requested as HTML cannot be read: it is
named, with how to request JSON instead.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import msgspec

from auditor.archive import Archive
from auditor.errors import InputError
from auditor.model import (
    Account,
    ConnectedApp,
    Login,
    Post,
    SecurityState,
    Session,
    TwoFactorMethod,
)
from auditor.sources import meta_inbox
from auditor.sources.base import Detection, Source, SourceImport
from auditor.sources.json_stream import RecordReader, read_json, records_in
from auditor.sources.meta_text import fix, fix_all
from auditor.sources.values import as_dict, as_list, as_str, epoch_time

_POSTS = re.compile(r"(^|/)your_posts(__check_ins__photos_and_videos)?_\d+\.(json|html)$")
_GENERATIONS = (
    ("your_facebook_activity/", "facebook-2024"),
    ("your_activity_across_facebook/", "facebook-2022"),
)
_COMMENTS = re.compile(r"(^|/)comments(_and_reactions)?/comments\.json$")
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


class _AttachmentData(msgspec.Struct):
    media: _Media | None = None


class _Attachment(msgspec.Struct):
    data: list[_AttachmentData] = msgspec.field(default_factory=list)


class _FbPost(msgspec.Struct):
    timestamp: int | float | None = None
    title: str | None = None
    data: list[dict[str, Any]] = msgspec.field(default_factory=list)
    attachments: list[_Attachment] = msgspec.field(default_factory=list)


class _Comment(msgspec.Struct):
    timestamp: int | float | None = None
    title: str | None = None
    data: list[dict[str, Any]] = msgspec.field(default_factory=list)


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
        imp.files_found.extend(posts + comments)
        if not posts:
            imp.files_missing.append("your_posts_1.json")
            imp.error(str(archive.path), "no your_posts file: no posts could be read")
        profile = _json(archive, _first(names, "profile_information/profile_information.json"), imp)
        info = as_dict(as_dict(profile).get("profile_v2"))
        name = fix(as_str(as_dict(info.get("name")).get("full_name"))) or None
        account = Account("facebook", None, display_name=name, label=name or "profile")
        imp.add_account(account, _security(archive, names, imp, info))
        imp.posts = _posts(archive, imp, account, posts, comments)
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
        if state and state.lower() in ("enabled", "on", "true", "attivo", "aktiviert"):
            methods.append(
                TwoFactorMethod(
                    "unspecified", f"two-factor_authentication.json: State {state}", tfa_file
                )
            )
        elif state:
            disabled.append(f"two-factor_authentication.json: State {state}")
    else:
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
    activity_file = next((n for n in security if n.endswith("account_activity.json")), None)
    logins = tuple(
        Login(
            epoch_time(r.get("timestamp")),
            as_str(r.get("ip_address")) or None,
            fix(as_str(r.get("action"))) or "login",
            fix(as_str(r.get("country"))) or None,
        )
        for r in _records(_json(archive, activity_file, imp), "account_activity")
    )
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
    return SecurityState(
        two_factor_methods=tuple(methods),
        two_factor_disabled_evidence=tuple(disabled),
        two_factor_notes=tuple(notes),
        emails=emails,
        phones=phones,
        logins=logins,
        sessions=sessions,
        connected_apps=apps,
        connections=len(friends) if friends is not None else None,
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
    archive: Archive, imp: SourceImport, account: Account, posts: list[str], comments: list[str]
) -> Iterator[Post]:
    names = set(archive.names())
    reader = RecordReader(_FbPost)
    for name in posts:
        root = name[: name.index("posts/")] if "posts/" in name else ""
        for n, record in enumerate(records_in(archive, name, imp, reader)):
            text = "\n".join(
                fix(as_str(d.get("post"))) for d in record.data if as_str(d.get("post"))
            )
            media = [a.media for att in record.attachments for a in att.data if a.media]
            if not text:
                text = "\n".join(fix(m.description) for m in media if m.description)
            yield Post(
                id=f"{int(record.timestamp or 0)}:{n}",
                text=text,
                account=account.key,
                created_at=epoch_time(record.timestamp),
                has_media=bool(media),
                media=tuple(root + m.uri for m in media if root + m.uri in names),
                platform="facebook",
            )
    comment_reader = RecordReader(_Comment)
    for name in comments:
        for n, record in enumerate(records_in(archive, name, imp, comment_reader, "comments_v2")):
            for d in record.data:
                comment = as_dict(d.get("comment"))
                text = fix(as_str(comment.get("comment")))
                if not text:
                    continue  # some records keep only the title: the text was not exported
                when = comment.get("timestamp") or record.timestamp
                yield Post(
                    id=f"comment:{int(when or 0)}:{n}",
                    text=text,
                    account=account.key,
                    created_at=epoch_time(when),
                    platform="facebook",
                    kind="comment",
                )
