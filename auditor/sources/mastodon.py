"""Mastodon account archive: the current zip, the older tar.gz, or the unzipped folder.

`outbox.json` holds every status as an ActivityPub activity: `Create` of a `Note` (the user's
words, posts and replies) or `Announce` (a boost: not the user's words). Visibility is in the
addressing: the public collection in `to` is public, in `cc` unlisted, the followers collection
alone is followers-only, and anything else is a direct message: never a post, it streams with
the messages instead (a second read of the outbox, only when the first saw any).
`actor.json` holds the account and its privacy settings. HTML content becomes plain text.
"""

from __future__ import annotations

import posixpath
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlparse

import msgspec

from auditor.archive import Archive
from auditor.errors import InputError
from auditor.model import Account, Message, Post, Profile, SecurityState, Setting
from auditor.sources.base import Detection, Source, SourceImport
from auditor.sources.html_text import html_to_text
from auditor.sources.json_stream import RecordReader, iter_member_array, read_json
from auditor.sources.values import as_dict, as_list, as_str, iso_time

PUBLIC = frozenset(("https://www.w3.org/ns/activitystreams#Public", "as:Public", "Public"))
SETTINGS = {
    "manuallyApprovesFollowers": "you approve each new follower (a locked account)",
    "discoverable": "the profile is suggested to others and listed in the directory",
    "indexable": "your public posts can be found by full-text search",
}


class _Attachment(msgspec.Struct):
    url: str = ""
    name: str | None = None


class _Tag(msgspec.Struct):
    type: str = ""
    name: str = ""


class _Note(msgspec.Struct):
    id: str = ""
    type: str = ""
    url: str | None = None
    published: str | None = None
    inReplyTo: str | None = None  # noqa: N815 - ActivityPub's own key
    summary: str | None = None
    content: str | None = None
    attachment: list[_Attachment] = msgspec.field(default_factory=list)
    tag: list[_Tag] = msgspec.field(default_factory=list)
    conversation: str | None = None


class _Activity(msgspec.Struct):
    id: str = ""
    type: str = ""
    published: str | None = None
    to: list[str] = msgspec.field(default_factory=list)
    cc: list[str] = msgspec.field(default_factory=list)
    object: _Note | str | None = None


class MastodonSource(Source):
    name = "mastodon"
    title = "Mastodon archive"

    @classmethod
    def detect(cls, archive: Archive) -> Detection | None:
        if archive.kind == "file":
            return None
        outbox = archive.find("outbox.json")
        if not outbox:
            return None
        root = posixpath.dirname(outbox[0])
        if posixpath.join(root, "actor.json") not in set(archive.names()):
            return None
        return Detection("mastodon", f"mastodon-{archive.kind}", 10)

    def read(self, archive: Archive, detection: Detection) -> SourceImport:
        imp = SourceImport(str(archive.path), "mastodon", detection.layout)
        imp.errors.extend(archive.problems)
        outbox = archive.find("outbox.json")[0]
        root = posixpath.dirname(outbox)
        prefix = f"{root}/" if root else ""
        imp.files_found.append(outbox)
        actor = _actor(archive, prefix + "actor.json", imp)
        actor_id = as_str(actor.get("id"))
        host = urlparse(actor_id or as_str(actor.get("url"))).hostname
        user = as_str(actor.get("preferredUsername")) or None
        handle = f"{user}@{host}" if user and host else user
        account = Account("mastodon", handle, display_name=as_str(actor.get("name")) or None)
        imp.add_account(account, _security(actor))
        outbox_pass = _Outbox(archive, imp, outbox, prefix, account, actor_id)
        imp.posts = outbox_pass.posts()
        imp.messages = outbox_pass.messages()
        return imp


def _actor(archive: Archive, name: str, imp: SourceImport) -> dict[str, Any]:
    where = archive.display(name)
    if name not in set(archive.names()):
        imp.files_missing.append(name)
        imp.error(where, "missing: the account and its privacy settings are unknown")
        return {}
    imp.files_found.append(name)
    value = read_json(
        archive, name, imp, limit=16 << 20, what="an actor file", advice="request the archive again"
    )
    if value is None:
        return {}
    if not isinstance(value, dict):
        imp.error(where, "not an ActivityPub actor (expected an object)")
        return {}
    return value


def _profile(actor: dict[str, Any]) -> Profile:
    """The bio (`summary`, HTML) and the profile's extra fields (`PropertyValue` attachments)."""
    fields = []
    for item in as_list(actor.get("attachment")):
        item = as_dict(item)
        if item.get("type") == "PropertyValue" and as_str(item.get("name")):
            fields.append((as_str(item["name"]), html_to_text(as_str(item.get("value")))))
    return Profile(
        bio=html_to_text(as_str(actor.get("summary"))) or None,
        fields=tuple(fields),
        source="actor.json",
    )


def _security(actor: dict[str, Any]) -> SecurityState:
    settings = [
        Setting(key, actor[key], "actor.json")
        for key in SETTINGS
        if isinstance(actor.get(key), bool)
    ]
    if actor.get("type") in ("Service", "Application"):
        settings.append(Setting("bot", True, "actor.json"))
    elif actor:
        settings.append(Setting("bot", False, "actor.json"))
    return SecurityState(
        two_factor_notes=(
            "A Mastodon archive does not show two-factor authentication: check it under "
            "Preferences > Account > Two-factor auth.",
        ),
        settings=tuple(settings),
        profile=_profile(actor) if actor else None,
    )


def _visibility(activity: _Activity, actor_id: str) -> str:
    if PUBLIC.intersection(activity.to):
        return "public"
    if PUBLIC.intersection(activity.cc):
        return "unlisted"
    followers = f"{actor_id}/followers" if actor_id else None
    if followers and followers in activity.to:
        return "followers"
    if any(a.endswith("/followers") for a in activity.to):
        return "followers"
    return "direct"


@dataclass
class _Outbox:
    """One outbox read for the posts; the direct notes it counted are read again as messages."""

    archive: Archive
    imp: SourceImport
    outbox: str
    prefix: str
    account: Account
    actor_id: str
    direct: int = 0

    def activities(self) -> Iterator[_Activity]:
        where = self.archive.display(self.outbox)
        reader = RecordReader(_Activity)
        try:
            with self.archive.open(self.outbox) as stream:
                yield from iter_member_array(
                    stream, b"", "orderedItems", reader, where, self.imp.problem
                )
        except InputError as exc:
            self.imp.error(exc.where, exc.message)
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as exc:
            self.imp.error(where, f"corrupt in the archive ({exc}); posts after it were not read")

    def posts(self) -> Iterator[Post]:
        account, actor_id, prefix = self.account, self.actor_id, self.prefix
        names = set(self.archive.names())
        own_statuses = f"{actor_id}/statuses/" if actor_id else None
        for activity in self.activities():
            if activity.type == "Announce":
                boosted = activity.object if isinstance(activity.object, str) else ""
                yield Post(
                    id=activity.id or boosted,
                    text="",
                    account=account.key,
                    created_at=iso_time(activity.published),
                    is_repost=True,
                    platform="mastodon",
                )
                continue
            note = activity.object
            if activity.type != "Create" or not isinstance(note, _Note):
                continue
            visibility = _visibility(activity, actor_id)
            if visibility == "direct":
                self.direct += 1
                continue
            content = html_to_text(note.content or "")
            warning = note.summary or None
            reply_to = None
            if note.inReplyTo:
                if own_statuses and note.inReplyTo.startswith(own_statuses):
                    reply_to = account.handle
                else:
                    mention = next((t.name for t in note.tag if t.type == "Mention"), "")
                    reply_to = mention.lstrip("@") or None
            media = tuple(
                path for a in note.attachment if (path := prefix + a.url.lstrip("/")) in names
            )
            yield Post(
                id=note.id.rsplit("/", 1)[-1] or note.id,
                text=f"{warning}\n{content}" if warning else content,
                account=account.key,
                created_at=iso_time(note.published or activity.published),
                url=note.url or note.id or None,
                reply_to=reply_to,
                reply_to_id=note.inReplyTo.rsplit("/", 1)[-1] if note.inReplyTo else None,
                media=media,
                has_media=bool(note.attachment),
                platform="mastodon",
                visibility=visibility,
                content_warning=warning,
            )

    def messages(self) -> Iterator[Message]:
        if not self.direct:
            return
        names = set(self.archive.names())
        for activity in self.activities():
            note = activity.object
            if activity.type != "Create" or not isinstance(note, _Note):
                continue
            if _visibility(activity, self.actor_id) != "direct":
                continue
            content = html_to_text(note.content or "")
            if note.summary:
                content = f"{note.summary}\n{content}"
            media = tuple(
                path for a in note.attachment if (path := self.prefix + a.url.lstrip("/")) in names
            )
            yield Message(
                # Mastodon threads a conversation by its `conversation` URI; older notes
                # lack it, and then the people addressed stand for the conversation.
                conversation=note.conversation or " ".join(sorted(activity.to + activity.cc)),
                account=self.account.key,
                from_user=True,  # the outbox holds only what the user sent
                text=content,
                sent_at=iso_time(note.published or activity.published),
                platform="mastodon",
                media=media,
            )
