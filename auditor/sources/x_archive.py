"""X/Twitter "download your data" archive (zip or unzipped folder), 2019 layout onwards.

Files are found from `data/manifest.js` when present, else by their known names. Each data
file is `window.YTD.<name>.partN = <JSON>`; the JSON is streamed for the posts and read whole
for the small security files. Direct messages (`direct-messages.js`, group chats in
`direct-messages-group.js`) stream apart from the posts; likes and deleted-tweet headers are
never read.
"""

from __future__ import annotations

import html
import posixpath
import re
import zipfile
import zlib
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import msgspec

from auditor.archive import Archive
from auditor.errors import InputError
from auditor.model import (
    Account,
    ConnectedApp,
    Login,
    Message,
    Post,
    Profile,
    SecurityState,
    Session,
    TwoFactorMethod,
)
from auditor.sources.base import Detection, Source, SourceImport
from auditor.sources.json_stream import RecordReader, iter_array
from auditor.sources.values import as_dict, as_list, as_str, iso_time

# Manifest data type -> file names used when there is no manifest (newest name first).
KNOWN_FILES: dict[str, tuple[str, ...]] = {
    "tweets": ("tweets.js", "tweet.js"),
    "noteTweet": ("note-tweet.js",),
    "account": ("account.js",),
    "profile": ("profile.js",),
    "phoneNumber": ("phone-number.js", "phone_number.js"),
    "niDevices": ("ni-devices.js",),
    "ipAudit": ("ip-audit.js",),
    "deviceToken": ("device-token.js",),
    "connectedApplication": ("connected-application.js",),
    "protectedHistory": ("protected-history.js",),
    "directMessages": ("direct-messages.js",),
    "directMessagesGroup": ("direct-messages-group.js",),
}
# Absent from some archives by design (no DMs ever sent): listed as missing, not an error.
OPTIONAL = ("directMessages", "directMessagesGroup")

# What is lost when a file is absent, said in coverage.
MISSING_MEANS = {
    "tweets": "no posts could be read",
    "account": "the handle and e-mail on file are unknown",
    "niDevices": "SMS login verification cannot be seen",
    "phoneNumber": "the phone number on file is unknown",
    "ipAudit": "login history cannot be checked",
    "deviceToken": "sessions cannot be checked",
    "connectedApplication": "connected apps cannot be checked",
    "protectedHistory": "whether the account is protected is unknown",
}

_PART = re.compile(r"^(tweets?)-part(\d+)\.js$")
_MONTHS = {
    m: i
    for i, m in enumerate(
        ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"), 1
    )
}
_TCO_TAIL = re.compile(r"\s*https://t\.co/\w+$")


class _Media(msgspec.Struct):
    media_url: str = ""
    media_url_https: str = ""
    type: str = "photo"


class _Entities(msgspec.Struct):
    media: list[_Media] = msgspec.field(default_factory=list)


class _Tweet(msgspec.Struct):
    id_str: str | None = None
    id: str | int | None = None
    full_text: str | None = None
    text: str | None = None
    created_at: str = ""
    in_reply_to_screen_name: str | None = None
    in_reply_to_status_id_str: str | None = None
    entities: _Entities | None = None
    extended_entities: _Entities | None = None
    # only geotagged tweets carry these (GeoJSON points; `place` with a full_name)
    coordinates: Any = None
    geo: Any = None
    place: Any = None


class _NoteCore(msgspec.Struct):
    text: str = ""


class _Note(msgspec.Struct):
    createdAt: str = ""  # noqa: N815 - the export's own key
    core: _NoteCore = msgspec.field(default_factory=_NoteCore)


class _MessageCreate(msgspec.Struct):
    id: str = ""
    senderId: str = ""  # noqa: N815 - the export's own keys
    text: str = ""
    createdAt: str = ""  # noqa: N815
    mediaUrls: list[str] = msgspec.field(default_factory=list)  # noqa: N815


class _DMEvent(msgspec.Struct):
    messageCreate: _MessageCreate | None = None  # noqa: N815 - joins and renames have none


class _DMConversation(msgspec.Struct):
    conversationId: str = ""  # noqa: N815
    messages: list[_DMEvent] = msgspec.field(default_factory=list)


class XArchiveSource(Source):
    name = "x"
    title = "X/Twitter archive"

    @classmethod
    def detect(cls, archive: Archive) -> Detection | None:
        if archive.kind == "file":
            return None
        if _classic_root(archive) is not None:
            return Detection("x", "x-classic", 10)
        root = _root(archive)
        if root is None:
            return None
        names = set(archive.names())
        data = root + "data/"
        if data + "tweets.js" in names or any(
            n.startswith(data) and _PART.match(n[len(data) :]) for n in names
        ):
            layout = "x-2022"
        elif root + "data/tweet.js" in names:
            layout = "x-2019"
        elif root + "data/manifest.js" in names:
            layout = "x-2022"
        else:
            layout = "x-2018"
        return Detection("x", layout, 10)

    def read(self, archive: Archive, detection: Detection) -> SourceImport:
        imp = SourceImport(str(archive.path), "x", detection.layout)
        for problem in archive.problems:
            imp.errors.append(problem)
        classic = _classic_root(archive)
        if classic is not None:
            return _read_classic(archive, classic, imp)
        root = _root(archive) or ""
        files, manifest_user = _locate(archive, root, imp)
        reader = _Reader(archive, imp)
        account_rec = reader.first("account", files, "account")
        handle = (
            as_str(account_rec.get("username")) or as_str(manifest_user.get("userName")) or None
        )
        display = (
            as_str(account_rec.get("accountDisplayName"))
            or as_str(manifest_user.get("displayName"))
            or None
        )
        account = Account("x", handle, display_name=display)
        imp.add_account(account, reader.security(files, account_rec))
        imp.posts = _posts(archive, imp, files, account, reader.notes(files))
        user_id = as_str(account_rec.get("accountId")) or as_str(manifest_user.get("accountId"))
        imp.messages = _messages(archive, imp, files, account, user_id)
        return imp


_MONTH_FILE = re.compile(r"(^|/)data/js/tweets/\d{4}_\d{2}\.js$")


def _classic_root(archive: Archive) -> str | None:
    """The prefix of a classic (2012-2018, "Grailbird") archive's data/js/, if this is one."""
    for name in archive.names():
        if _MONTH_FILE.search(name) or name.endswith("data/js/tweet_index.js"):
            return name[: name.index("data/js/")]
    return None


def _read_classic(archive: Archive, root: str, imp: SourceImport) -> SourceImport:
    """Tweets by month in data/js/tweets/YYYY_MM.js (`Grailbird.data.tweets_YYYY_MM = [...]`)
    and the account in data/js/user_details.js (`var user_details = {...}`): no security files."""
    months = sorted(n for n in archive.names() if n.startswith(root) and _MONTH_FILE.search(n))
    imp.files_found.extend(months)
    if not months:
        imp.files_missing.append(root + "data/js/tweets/YYYY_MM.js")
        imp.error(archive.display(root + "data/js/tweets/"), "no monthly tweet files: no posts")
    details: dict = {}
    user_file = root + "data/js/user_details.js"
    if user_file in set(archive.names()):
        imp.files_found.append(user_file)
        try:
            details = as_dict(_read_whole(archive, user_file))
        except InputError as exc:
            imp.error(exc.where, exc.message)
    else:
        imp.files_missing.append(user_file)
        imp.error(archive.display(user_file), "missing: the handle is unknown")
    account = Account(
        "x",
        as_str(details.get("screen_name")) or None,
        display_name=as_str(details.get("full_name")) or None,
    )
    security = SecurityState(
        two_factor_notes=(
            "A classic X archive (2012-2018) holds tweets only: it shows nothing of two-factor "
            "authentication.",
        ),
    )
    imp.add_account(account, security)
    imp.posts = _posts(archive, imp, {"tweets": months}, account, _Notes())
    return imp


def _root(archive: Archive) -> str | None:
    """The folder that holds `data/`, as a prefix ("" or "twitter-2024/")."""
    for marker in ("manifest.js", "tweets.js", "tweet.js", "tweets-part1.js", "account.js"):
        for name in archive.find(marker):
            parent = posixpath.dirname(name)
            if posixpath.basename(parent) == "data":
                base = posixpath.dirname(parent)
                return f"{base}/" if base else ""
            if marker in ("tweet.js", "tweets.js") and parent == "":
                return ""  # GDPR-era archives put the .js files at the root
    return None


def _locate(
    archive: Archive, root: str, imp: SourceImport
) -> tuple[dict[str, list[str]], dict[str, Any]]:
    """Member names per data type, from the manifest when there is one; and the manifest's
    user info (handle and display name)."""
    names = set(archive.names())
    data = root + "data/" if root + "data/" in {n[: len(root) + 5] for n in names} else root
    files: dict[str, list[str]] = {}
    user: dict[str, Any] = {}
    manifest = data + "manifest.js"
    if manifest in names:
        try:
            config = as_dict(_read_whole(archive, manifest))
            user = as_dict(config.get("userInfo"))
            types = as_dict(config.get("dataTypes"))
            if not types:
                imp.error(
                    archive.display(manifest),
                    "lists no data types (unexpected shape); finding files by name instead",
                )
            for dtype, spec in types.items():
                if dtype not in KNOWN_FILES:
                    continue
                entries = as_list(as_dict(spec).get("files"))
                listed = [as_str(as_dict(f).get("fileName")) for f in entries]
                if not entries or not all(listed):
                    imp.error(
                        archive.display(manifest),
                        f"the entry for {dtype!r} has an unexpected shape; finding its files "
                        "by name instead",
                    )
                files[dtype] = [root + f for f in listed if f]
        except InputError as exc:
            imp.error(exc.where, f"{exc.message}; finding files by name instead")
    for dtype, candidates in KNOWN_FILES.items():
        if files.get(dtype):
            continue
        for cand in candidates:
            if data + cand in names:
                files[dtype] = [data + cand]
                break
        if dtype == "tweets":
            parts = sorted(
                (int(m.group(2)), n)
                for n in names
                if n.startswith(data) and (m := _PART.match(n[len(data) :]))
            )
            files[dtype] = files.get(dtype, []) + [n for _, n in parts]
    for dtype in KNOWN_FILES:
        present = [f for f in files.get(dtype, []) if f in names]
        absent = [f for f in files.get(dtype, []) if f not in names]
        imp.files_found.extend(present)
        if dtype in OPTIONAL and not present:
            imp.files_missing.append(absent[0] if absent else data + KNOWN_FILES[dtype][0])
        elif dtype in MISSING_MEANS and not present:
            wanted = absent[0] if absent else data + KNOWN_FILES[dtype][0]
            imp.files_missing.append(wanted)
            imp.error(archive.display(wanted), f"missing: {MISSING_MEANS[dtype]}")
        elif absent:
            for f in absent:
                imp.files_missing.append(f)
                imp.error(archive.display(f), "listed in the manifest but missing from the archive")
        files[dtype] = present
    return files, user


def _strip_wrapper(stream: Any, where: str) -> bytes:
    """Consume `window.YTD.x.part0 =` and return the bytes after it (the start of the JSON)."""
    head = stream.read(4096)
    lead = head.lstrip()
    if lead[:1] in (b"[", b"{"):
        return lead
    eq = head.find(b"=")
    if eq < 0:
        raise InputError(where, "not an X archive data file (no `window.YTD... =` prefix)")
    return head[eq + 1 :]


def _read_whole(archive: Archive, name: str) -> Any:
    where = archive.display(name)
    if archive.size(name) > 256 << 20:
        raise InputError(where, "too large for a settings file: skipped")
    with archive.open(name) as stream:
        try:
            head = _strip_wrapper(stream, where)
            body = head + stream.read()
        except (zipfile.BadZipFile, zlib.error, OSError, EOFError) as exc:
            raise InputError(where, f"corrupt in the archive ({exc}): download it again") from exc
    try:
        return msgspec.json.decode(body.strip().rstrip(b";"))
    except (msgspec.DecodeError, RecursionError) as exc:
        reason = "nested too deeply" if isinstance(exc, RecursionError) else str(exc)
        raise InputError(where, f"not valid JSON ({reason}): export the archive again") from exc


class _Reader:
    """Reads the small settings files, turning every fault into a coverage error."""

    def __init__(self, archive: Archive, imp: SourceImport) -> None:
        self.archive = archive
        self.imp = imp

    def records(self, dtype: str, files: dict[str, list[str]], key: str) -> list[dict]:
        out: list[dict] = []
        for name in files.get(dtype, []):
            try:
                value = _read_whole(self.archive, name)
            except InputError as exc:
                self.imp.error(exc.where, exc.message)
                continue
            elements = value if isinstance(value, list) else [value]
            for el in elements:
                if isinstance(el, dict):
                    inner = el.get(key, el)
                    if isinstance(inner, dict):
                        out.append(inner)
        return out

    def first(self, dtype: str, files: dict[str, list[str]], key: str) -> dict:
        recs = self.records(dtype, files, key)
        return recs[0] if recs else {}

    def notes(self, files: dict[str, list[str]]) -> _Notes:
        """Long posts' full texts, which must wait until their tweet comes by in tweets.js."""
        out = _Notes()
        reader = RecordReader(_Note, unwrap="noteTweet")
        for name in files.get("noteTweet", []):
            where = self.archive.display(name)
            try:
                with self.archive.open(name) as stream:
                    head = _strip_wrapper(stream, where)
                    for note in iter_array(stream, head, reader, where, self.imp.problem):
                        when = iso_time(note.createdAt)
                        if note.core.text and when:
                            out.add(int(when.timestamp()), note.core.text)
            except InputError as exc:
                self.imp.error(exc.where, exc.message)
            except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as exc:
                self.imp.error(where, f"corrupt in the archive ({exc}): download it again")
        return out

    def security(self, files: dict[str, list[str]], account_rec: dict) -> SecurityState:
        methods: list[TwoFactorMethod] = []
        notes: list[str] = []
        phones: list[str] = []
        for rec in self.records("niDevices", files, "niDeviceResponse"):
            device = rec.get("messagingDevice")
            if not isinstance(device, dict):
                continue  # push devices and other kinds say nothing about login verification
            phone = as_str(device.get("phoneNumber"))
            if phone:
                phones.append(phone)
            if as_str(device.get("deviceType")) == "Auth":
                since = as_str(device.get("createdDate")).replace(".", "-")
                methods.append(
                    TwoFactorMethod(
                        "sms",
                        f"ni-devices.js: phone {_mask_phone(phone)} receives login verification "
                        f"codes by SMS (deviceType Auth{', since ' + since if since else ''})",
                        "ni-devices.js",
                    )
                )
        if files.get("niDevices"):
            notes.append(
                "An X archive shows SMS login verification only: an authenticator app or a "
                "security key never appears in it."
            )
        for rec in self.records("phoneNumber", files, "device"):
            if as_str(rec.get("phoneNumber")):
                phones.append(as_str(rec["phoneNumber"]))
        if as_str(account_rec.get("phoneNumber")):
            phones.append(as_str(account_rec["phoneNumber"]))
        emails = [as_str(account_rec.get("email"))] if as_str(account_rec.get("email")) else []

        logins = tuple(
            Login(iso_time(rec.get("createdAt")), as_str(rec.get("loginIp")) or None)
            for rec in self.records("ipAudit", files, "ipAudit")
        )
        sessions = tuple(
            Session(
                as_str(rec.get("clientApplicationName")) or "unknown client",
                iso_time(rec.get("createdAt")),
                iso_time(rec.get("lastSeenAt")),
            )
            for rec in self.records("deviceToken", files, "deviceToken")
        )
        apps = tuple(
            ConnectedApp(
                as_str(rec.get("name")) or "unnamed app",
                tuple(str(p) for p in as_list(rec.get("permissions"))),
                iso_time(rec.get("approvedAt")),
                as_str(as_dict(rec.get("organization")).get("name")) or None,
            )
            for rec in self.records("connectedApplication", files, "connectedApplication")
        )
        private, private_evidence = None, None
        history = [
            (iso_time(r.get("protectedAt")), as_str(r.get("action")))
            for r in self.records("protectedHistory", files, "protectedHistory")
        ]
        history = [h for h in history if h[0] is not None and h[1] in ("Protect", "Unprotect")]
        if history:
            when, action = max(history, key=lambda h: h[0])
            private = action == "Protect"
            private_evidence = (
                f"protected-history.js: last change {action} on {when.date().isoformat()}"
            )
        elif files.get("protectedHistory"):
            private_evidence = (
                "protected-history.js lists no change in the 6 months before the export: "
                "whether posts are protected is unknown"
            )
        profile = None
        if files.get("profile"):
            desc = as_dict(self.first("profile", files, "profile").get("description"))
            profile = Profile(
                bio=as_str(desc.get("bio")) or None,
                location=as_str(desc.get("location")) or None,
                website=as_str(desc.get("website")) or None,
                source="profile.js",
            )
        return SecurityState(
            two_factor_methods=tuple(methods),
            two_factor_notes=tuple(notes),
            profile=profile,
            private=private,
            private_evidence=private_evidence,
            emails=tuple(emails),
            phones=tuple(dict.fromkeys(phones)),
            logins=logins,
            sessions=sessions,
            connected_apps=apps,
        )


def _place(t: _Tweet) -> str:
    """A geotagged tweet's place: its name, or its coordinates."""
    name = as_str(as_dict(t.place).get("full_name")) or as_str(as_dict(t.place).get("name"))
    if name:
        return name
    for point, order in ((t.coordinates, (1, 0)), (t.geo, (0, 1))):
        values = as_list(as_dict(point).get("coordinates"))
        if len(values) == 2:
            return f"{values[order[0]]}, {values[order[1]]}"
    return "a location"


def _posts(
    archive: Archive,
    imp: SourceImport,
    files: dict[str, list[str]],
    account: Account,
    notes: _Notes,
) -> Iterator[Post]:
    reader = RecordReader(_Tweet, unwrap="tweet")
    key = account.key
    url_base = f"https://x.com/{account.handle or 'i/web'}/status/"
    media_dirs = {posixpath.dirname(f) + "/tweets_media/" for f in files.get("tweets", [])}
    media_dirs |= {posixpath.dirname(f) + "/tweet_media/" for f in files.get("tweets", [])}
    media_names = {n for n in archive.names() if posixpath.dirname(n) + "/" in media_dirs}
    unescape = html.unescape
    for name in files.get("tweets", []):
        where = archive.display(name)
        try:
            with archive.open(name) as stream:
                head = _strip_wrapper(stream, where)
                for t in iter_array(stream, head, reader, where, imp.problem):
                    tid = t.id_str or (str(t.id) if t.id is not None else "")
                    text = t.full_text if t.full_text is not None else (t.text or "")
                    if "&" in text:
                        text = unescape(text)
                    created = _tweet_time(t.created_at)
                    if notes and created is not None and "https://t.co/" in text:
                        text = _join_note(text, created, notes)
                    media: tuple[str, ...] = ()
                    ents = t.extended_entities or t.entities
                    has_media = bool(ents and ents.media)
                    if has_media and media_names:
                        found = []
                        for m in ents.media:
                            base = posixpath.basename(m.media_url_https or m.media_url)
                            for d in media_dirs:
                                if d + f"{tid}-{base}" in media_names:
                                    found.append(d + f"{tid}-{base}")
                        media = tuple(found)
                    yield Post(
                        id=tid,
                        text=text,
                        account=key,
                        created_at=created,
                        url=url_base + tid if tid else None,
                        reply_to=t.in_reply_to_screen_name,
                        reply_to_id=t.in_reply_to_status_id_str,
                        is_repost=text.startswith("RT @"),
                        media=media,
                        has_media=has_media,
                        platform="x",
                        place=_place(t) if t.place or t.coordinates or t.geo else None,
                    )
        except InputError as exc:
            imp.error(exc.where, exc.message)
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as exc:
            imp.error(where, f"corrupt in the archive ({exc}); posts after it were not read")


def _messages(
    archive: Archive,
    imp: SourceImport,
    files: dict[str, list[str]],
    account: Account,
    user_id: str,
) -> Iterator[Message]:
    reader = RecordReader(_DMConversation, unwrap="dmConversation")
    for name in files.get("directMessages", []) + files.get("directMessagesGroup", []):
        where = archive.display(name)
        media_dir = posixpath.dirname(name) + (
            "/direct_messages_group_media/" if "group" in name else "/direct_messages_media/"
        )
        try:
            with archive.open(name) as stream:
                head = _strip_wrapper(stream, where)
                for conv in iter_array(stream, head, reader, where, imp.problem):
                    for event in conv.messages:
                        m = event.messageCreate
                        if m is None:
                            continue
                        media = tuple(
                            f"{media_dir}{m.id}-{posixpath.basename(u)}" for u in m.mediaUrls
                        )
                        yield Message(
                            conversation=conv.conversationId,
                            account=account.key,
                            from_user=bool(user_id) and m.senderId == user_id,
                            text=html.unescape(m.text) if "&" in m.text else m.text,
                            sent_at=iso_time(m.createdAt),
                            platform="x",
                            media=media,
                        )
        except InputError as exc:
            imp.error(exc.where, exc.message)
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as exc:
            imp.error(where, f"corrupt in the archive ({exc}); messages after it were not read")


class _Notes:
    """Long posts' texts by creation second, compressed against a dictionary of the first ones.

    A large account has thousands of long posts, all held until the stream of tweets reaches
    each: one person's posts share words, hashtags and names, so a preset dictionary taken from
    the first few shrinks each note several times over what zlib alone does.
    """

    DICT_BYTES = 32 * 1024

    def __init__(self) -> None:
        self._by_second: dict[int, list[bytes | str]] = {}
        self._zdict: bytes | None = None
        self._early: list[str] = []
        self._early_bytes = 0

    def __bool__(self) -> bool:
        return bool(self._by_second)

    def add(self, second: int, text: str) -> None:
        if self._zdict is None:
            # the first notes stay as text until there are enough of them to be the dictionary
            self._early.append(text)
            self._early_bytes += len(text)
            if self._early_bytes >= self.DICT_BYTES:
                self._zdict = "".join(self._early).encode("utf-8", "replace")[-self.DICT_BYTES :]
                self._early = []
            self._by_second.setdefault(second, []).append(text)
            return
        packer = zlib.compressobj(9, zdict=self._zdict)
        packed = packer.compress(text.encode("utf-8", "replace")) + packer.flush()
        self._by_second.setdefault(second, []).append(packed)

    def at(self, second: int) -> list[str]:
        out = []
        for item in self._by_second.get(second, ()):
            if isinstance(item, bytes):
                unpacker = zlib.decompressobj(zdict=self._zdict)
                item = (unpacker.decompress(item) + unpacker.flush()).decode("utf-8", "replace")
            out.append(item)
        return out


def _join_note(text: str, created: datetime, notes: _Notes) -> str:
    """A long post's full text from note-tweet.js: same second, and the tweet's text a prefix."""
    candidates = notes.at(int(created.timestamp()))
    if not candidates:
        return text
    prefix = _TCO_TAIL.sub("", text).rstrip("…").rstrip()[:60]
    for full in candidates:
        if full.startswith(prefix):
            return full
    return text


def _tweet_time(value: str) -> datetime | None:
    """Parse "Fri Feb 24 06:58:32 +0000 2023" without strptime, which costs 10 us a post."""
    try:
        month = _MONTHS[value[4:7]]
        tz = value[20:25]
        when = datetime(
            int(value[26:30]),
            month,
            int(value[8:10]),
            int(value[11:13]),
            int(value[14:16]),
            int(value[17:19]),
            tzinfo=UTC,
        )
        if tz != "+0000":
            sign = -1 if tz[0] == "-" else 1
            offset = timedelta(hours=int(tz[1:3]), minutes=int(tz[3:5])) * sign
            when = when.replace(tzinfo=timezone(offset)).astimezone(UTC)
        return when
    except (KeyError, ValueError, IndexError):
        pass
    for fmt in ("%Y-%m-%d %H:%M:%S %z", "%a %b %d %H:%M:%S %z %Y"):
        try:
            return datetime.strptime(value, fmt).astimezone(UTC)
        except ValueError:
            continue
    return iso_time(value)


def _mask_phone(phone: str) -> str:
    digits = [c for c in phone if c.isdigit()]
    return "•••" + "".join(digits[-2:]) if digits else "(no number)"
