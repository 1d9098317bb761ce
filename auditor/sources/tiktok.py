"""TikTok "Download your data" export, JSON: one `user_data.json` (`user_data_tiktok.json` in
newer exports), alone or inside the zip or folder it came in.

The file is a single JSON object of sections and can run to hundreds of MB, nearly all of it
watch, like and search history, which says nothing about what the user wrote. So it is never
loaded: ijson streams it, every section that is not wanted is skipped without being built, and
the file is read in up to three passes, each keeping memory flat:

1. in `read`: the profile, the app settings and the login history (the account and its
   security must be complete before the first post reaches a check), and which of the videos,
   comments and direct messages are there;
2. the posts: the captions of the user's videos, and their comments, audited as comments;
3. the direct messages, streamed apart from the posts.

The 2022-era layout (`Activity`, `App Settings`, `Comment`, `Direct Messages`, `Profile`,
`Video`) and the regrouped one (`Profile And Settings`, `Your Activity`, `Post`, ...) put the
same records at different paths; `tiktok_paths.toml` lists the candidates, matched without
case, spaces or punctuation. Empty values are written "None" or "N/A" and read as missing.
"""

from __future__ import annotations

import hashlib
import posixpath
import re
import tomllib
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache
from importlib import resources
from typing import Any, BinaryIO

import ijson

from auditor.archive import Archive
from auditor.errors import InputError
from auditor.model import Account, Login, Message, Post, Profile, SecurityState, Setting
from auditor.sources.base import Detection, Source, SourceImport
from auditor.sources.values import as_dict, iso_time

FILE_NAMES = ("user_data.json", "user_data_tiktok.json")
EMPTY = frozenset({"", "none", "n/a"})
# Keys that may hold a video's caption, normalised; older exports have none of them.
CAPTION_KEYS = ("title", "description", "desc", "caption", "videodescription", "text")
TWO_FACTOR_NOTE = (
    "A TikTok export does not show two-step verification: check it under Settings and privacy "
    "> Security > 2-step verification."
)
EXPECTED = (
    "expected a TikTok user_data.json (a JSON object with sections such as Activity, Profile "
    "and Video, or Profile And Settings, Your Activity and Post)"
)
# What each wanted section is called in the coverage when it is absent.
LABELS = {
    "videos": "your videos",
    "comments": "your comments",
    "messages": "direct messages",
    "logins": "login history",
    "settings": "app settings",
    "profile": "profile",
}
RECORDS = ("videos", "comments", "messages", "logins")
# No record of a TikTok export is nested this deep: stop rather than build without end.
MAX_DEPTH = 32
BOM = b"\xef\xbb\xbf"
_START = frozenset({"start_map", "start_array"})
_END = frozenset({"end_map", "end_array"})
_PUNCT = re.compile(r"[\W_]+")
_VIDEO_ID = re.compile(r"/video/(\d+)|(\d{12,})")
_CHAT_PREFIX = re.compile(r"^\s*chat history with\s+", re.IGNORECASE)

Hit = tuple[str, tuple[str, ...], Any]  # (wanted section, the keys down to it, its value)


def _norm(key: str) -> str:
    return _PUNCT.sub("", key.casefold())


@dataclass(frozen=True)
class _Config:
    paths: dict[str, tuple[tuple[str, ...], ...]]
    layouts: dict[str, frozenset[str]]


@cache
def _config() -> _Config:
    text = resources.files("auditor.sources").joinpath("tiktok_paths.toml").read_text("utf-8")
    data = tomllib.loads(text)
    paths = {
        name: tuple(tuple(k if k == "*" else _norm(k) for k in p.split(".")) for p in candidates)
        for name, candidates in data["paths"].items()
    }
    layouts = {name: frozenset(map(_norm, keys)) for name, keys in data["layouts"].items()}
    return _Config(paths, layouts)


class TikTokSource(Source):
    name = "tiktok"
    title = "TikTok data export (user_data.json)"

    @classmethod
    def detect(cls, archive: Archive) -> Detection | None:
        if _member(archive) is not None:
            return Detection("tiktok", "tiktok", 9)
        if archive.kind == "file" and archive.path.suffix.lower() == ".json":
            # A renamed user_data.json can only be told apart by reading it: claim it below the
            # post file, so only `--platform tiktok` sends it here, and `read` says what it is.
            return Detection("tiktok", "tiktok", 1)
        return None

    def read(self, archive: Archive, detection: Detection) -> SourceImport:
        name = _member(archive) or archive.names()[0]
        imp = SourceImport(str(archive.path), "tiktok", detection.layout)
        imp.errors.extend(archive.problems)
        survey = _survey(archive, name, imp)
        imp.layout = survey.layout
        base = posixpath.basename(name)
        imp.files_found.append(name)
        for section, label in LABELS.items():
            where = survey.where.get(section)
            if where is None:
                imp.files_missing.append(f"{base}: {label}")
                continue
            count = f" ({survey.counts.get(section, 0):,} records)" if section in RECORDS else ""
            imp.files_found.append(f"{base}: {' > '.join(where)}{count}")
        profile = _fields(survey.profile)
        handle = _text(profile.get("username")).lstrip("@") or None
        display = _text(profile.get("nickname")) or _text(profile.get("displayname")) or None
        account = Account("tiktok", handle, display_name=display, label=None if handle else base)
        imp.add_account(account, _security(survey, profile, base))
        imp.posts = _posts(archive, name, imp, account, survey)
        imp.messages = _messages(archive, name, imp, account, survey)
        return imp


def _member(archive: Archive) -> str | None:
    """The user_data file of the export, at the shallowest place it occurs."""
    hits = [n for n in archive.names() if posixpath.basename(n).lower() in FILE_NAMES]
    return min(hits, key=lambda n: (n.count("/"), n)) if hits else None


# --- streaming ------------------------------------------------------------------------------


class _TooDeep(Exception):
    pass


class _NotAnObject(Exception):
    def __init__(self, event: str) -> None:
        super().__init__(event)
        self.shape = {"start_array": "list"}.get(event, "single value")


def _next(events: Iterator[tuple[str, Any]]) -> tuple[str, Any]:
    got = next(events, None)
    if got is None:
        raise ijson.IncompleteJSONError("premature EOF")
    return got


def _skip(events: Iterator[tuple[str, Any]]) -> None:
    """Consume the rest of a container whose start was just read, building nothing."""
    depth = 1
    for event, _ in events:
        if event in _START:
            depth += 1
        elif event in _END:
            depth -= 1
            if not depth:
                return
    raise ijson.IncompleteJSONError("premature EOF")


def _build(events: Iterator[tuple[str, Any]], event: str, value: Any) -> Any:
    """The value that starts with (`event`, `value`), built whole; a stack, not recursion, so a
    hostile nesting stops at MAX_DEPTH instead of at Python's recursion limit."""
    if event not in _START:
        return value
    root: Any = [] if event == "start_array" else {}
    stack: list[Any] = [root]
    keys: list[Any] = [None]
    for event, value in events:
        if event == "map_key":
            keys[-1] = value
        elif event in _START:
            child: Any = [] if event == "start_array" else {}
            _add(stack[-1], keys[-1], child)
            if len(stack) >= MAX_DEPTH:
                raise _TooDeep
            stack.append(child)
            keys.append(None)
        elif event in _END:
            stack.pop()
            keys.pop()
            if not stack:
                return root
        else:
            _add(stack[-1], keys[-1], value)
    raise ijson.IncompleteJSONError("premature EOF")


def _add(top: Any, key: Any, value: Any) -> None:
    if isinstance(top, list):
        top.append(value)
    else:
        top[key] = value


class _Walker:
    """Finds the wanted sections of one JSON object along their candidate paths.

    `modes` maps a section of `tiktok_paths.toml` to how it is handed out: `whole` (built as
    one value), `records` (each element of its list built and yielded as it completes) or
    `count` (each element skipped, a None yielded for it). Everything off those paths is
    skipped unbuilt. `stop_after` ends the walk after that many top-level sections, once a
    first pass has shown where the last wanted one is.
    """

    def __init__(self, modes: dict[str, str], stop_after: int | None = None) -> None:
        paths = _config().paths
        self.modes = modes
        self.stop_after = stop_after
        self.exact: dict[tuple[str, ...], str] = {}
        self.prefixes: set[tuple[str, ...]] = set()
        for section in modes:
            for path in paths[section]:
                self.exact[path] = section
                self.prefixes.update(path[:i] for i in range(1, len(path)))
        self.path: list[str] = []  # the keys down to where the parser is: names a fault
        self.top: list[str] = []  # the top-level sections, in file order
        # each wanted section met, empty or not: its keys and its top-level position (1-based)
        self.found: dict[str, tuple[tuple[str, ...], int]] = {}

    def walk(self, events: Iterator[tuple[str, Any]]) -> Iterator[Hit]:
        event, _ = _next(events)
        if event != "start_map":
            raise _NotAnObject(event)
        yield from self._map(events, ())

    def _match(self, pattern: tuple[str, ...], key: str) -> tuple[str, ...] | None:
        sub = pattern + (_norm(key),)
        if sub in self.exact or sub in self.prefixes:
            return sub
        wild = pattern + ("*",)
        return wild if wild in self.exact or wild in self.prefixes else None

    def _map(self, events: Iterator[tuple[str, Any]], pattern: tuple[str, ...]) -> Iterator[Hit]:
        for event, key in events:
            if event == "end_map":
                return
            if not pattern:
                self.top.append(key)
                if self.stop_after is not None and len(self.top) > self.stop_after:
                    return
            sub = self._match(pattern, key)
            event, value = _next(events)
            if sub is None:
                if event in _START:
                    _skip(events)
                continue
            self.path.append(key)
            section = self.exact.get(sub)
            if section is not None:
                first = self.found.get(section)
                self.found[section] = (first[0] if first else tuple(self.path), len(self.top))
                yield from self._section(events, event, value, section)
            elif event == "start_map":
                yield from self._map(events, sub)
            elif event in _START:
                _skip(events)
            self.path.pop()
        raise ijson.IncompleteJSONError("premature EOF")

    def _section(
        self, events: Iterator[tuple[str, Any]], event: str, value: Any, section: str
    ) -> Iterator[Hit]:
        mode = self.modes[section]
        where = tuple(self.path)
        if mode == "whole" or event not in _START:
            if mode == "whole":
                yield section, where, _build(events, event, value)
            return  # a list written as "None" or null holds no records
        if event == "start_map":  # one record where a list was expected
            if mode == "count":
                _skip(events)
                yield section, where, None
            else:
                yield section, where, _build(events, event, value)
            return
        for event, value in events:
            if event == "end_array":
                return
            if mode == "count":
                if event in _START:
                    _skip(events)
                yield section, where, None
            else:
                yield section, where, _build(events, event, value)
        raise ijson.IncompleteJSONError("premature EOF")


class _AfterBom:
    """The stream without a leading UTF-8 byte-order mark, which the JSON parser refuses."""

    def __init__(self, stream: BinaryIO) -> None:
        self._stream = stream
        head = stream.read(len(BOM))
        self._head = b"" if head == BOM else head

    def read(self, n: int = -1) -> bytes:
        if self._head and n:  # ijson reads 0 bytes first to learn the stream's type
            head, self._head = self._head, b""
            return head
        return self._stream.read(n)


def _scan(
    archive: Archive, name: str, walker: _Walker, report: Callable[[str], None]
) -> Iterator[Hit]:
    """The walker's hits over the member `name`; a fault ends them, told to `report` once."""
    try:
        with archive.open(name) as stream:
            yield from walker.walk(ijson.basic_parse(_AfterBom(stream), use_float=True))
    except _TooDeep:
        report(
            f"a record inside {_inside(walker)} is nested deeper than {MAX_DEPTH} levels, which "
            "no TikTok export writes: the rest of the file was not read; download it again"
        )
    except ijson.JSONError as exc:
        report(_json_fault(exc, walker))
    except UnicodeDecodeError as exc:
        report(f"not UTF-8 text inside {_inside(walker)} ({exc.reason}): download it again")
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as exc:
        report(
            f"corrupt in the archive ({exc}): what came before {_inside(walker)} was read; "
            "download the export again"
        )


def _inside(walker: _Walker) -> str:
    return " > ".join(walker.path) or "the top level"


def _json_fault(exc: Exception, walker: _Walker) -> str:
    text = str(exc).strip()
    if text.startswith(("b'", 'b"')):
        text = text[2:]
    reason = text.splitlines()[0].strip() if text else "invalid JSON"
    if "premature EOF" in text or "Incomplete or empty" in text:
        if not walker.top:
            return "empty, or cut short before its first section: download the export again"
        return (
            f"the file ends inside {_inside(walker)}, in the middle of its JSON (cut short): "
            "what came before was read; download the export again"
        )
    if not walker.top:
        return f"not JSON ({reason}): {EXPECTED}"
    return (
        f"invalid JSON inside {_inside(walker)} ({reason}): what came before was read; "
        "download the export again"
    )


# --- pass 1: the account and where everything is ---------------------------------------------


@dataclass
class _Survey:
    layout: str = "tiktok"
    profile: Any = None
    settings: Any = None
    settings_where: tuple[str, ...] = ()
    logins: list[Login] = field(default_factory=list)
    followers: int | None = None
    counts: dict[str, int] = field(default_factory=dict)
    where: dict[str, tuple[str, ...]] = field(default_factory=dict)
    section_of: dict[str, int] = field(default_factory=dict)  # 1-based top-level position
    fault: str | None = None


def _survey(archive: Archive, name: str, imp: SourceImport) -> _Survey:
    survey = _Survey()
    where = archive.display(name)

    def fault(line: str) -> None:
        survey.fault = line

    walker = _Walker(
        {
            "profile": "whole",
            "settings": "whole",
            "logins": "records",
            "followers": "count",
            "videos": "count",
            "comments": "count",
            "messages": "count",
        }
    )
    try:
        for section, keys, value in _scan(archive, name, walker, fault):
            survey.counts[section] = survey.counts.get(section, 0) + 1
            if section == "profile":
                survey.profile = value
            elif section == "settings":
                survey.settings, survey.settings_where = value, keys
            elif section == "logins":
                record = _fields(value)
                login = Login(_time(record.get("date")), _text(record.get("ip")) or None)
                if login.at or login.ip:  # a row of "None"s records no login
                    survey.logins.append(login)
    except _NotAnObject as exc:
        raise InputError(where, f"{EXPECTED} and found a JSON {exc.shape}") from None
    for section, (keys, position) in walker.found.items():
        # a conversation is found by its own key: the section is the map that holds them
        survey.where[section] = keys[:-1] if section == "messages" else keys
        survey.section_of[section] = position
    if "followers" in walker.found:
        survey.followers = survey.counts.get("followers", 0)
    layouts = _config().layouts
    top = {_norm(k) for k in walker.top}
    known = [layout for layout, names in layouts.items() if top & names]
    if not known:
        if survey.fault and not walker.top:
            raise InputError(where, survey.fault)
        shown = ", ".join(walker.top[:5]) + (", ..." if len(walker.top) > 5 else "")
        found = f"an object with the sections {shown}" if walker.top else "an empty object"
        raise InputError(
            where, f"{EXPECTED} and found {found}: check that this is the TikTok export"
        )
    survey.layout = known[0]  # the regrouped names come first in the table: they decide
    if survey.fault:
        imp.error(where, survey.fault)
    return survey


def _security(survey: _Survey, profile: dict[str, Any], base: str) -> SecurityState:
    source = f"{base}: {' > '.join(survey.settings_where) or 'SettingsMap'}"
    settings: list[Setting] = []
    private: bool | None = None
    evidence: str | None = None
    for key, raw in as_dict(survey.settings).items():
        value = _setting_value(raw)
        settings.append(Setting(str(key), value, source))
        norm = _norm(str(key))
        if private is None and (norm == "private" or ("private" in norm and "account" in norm)):
            private = _flag(value)
            if private is not None:
                evidence = f"{source}: {key} = {value}"
    email = _text(profile.get("emailaddress")) or _text(profile.get("email"))
    phone = _text(profile.get("telephonenumber")) or _text(profile.get("phonenumber"))
    return SecurityState(
        two_factor_notes=(TWO_FACTOR_NOTE,),
        private=private,
        private_evidence=evidence,
        emails=(email,) if email else (),
        phones=(phone,) if phone else (),
        logins=tuple(survey.logins),
        settings=tuple(settings),
        connections=survey.followers,
        profile=(
            Profile(
                bio=_text(profile.get("biodescription")) or _text(profile.get("bio")) or None,
                source=f"{base}: Profile",
            )
            if profile
            else None
        ),
    )


def _setting_value(raw: Any) -> bool | str | None:
    if isinstance(raw, bool) or raw is None:
        return raw
    if isinstance(raw, str):
        return _text(raw) or None
    if isinstance(raw, list):
        return ", ".join(str(v) for v in raw) or None
    if isinstance(raw, dict):
        return "; ".join(f"{k}: {v}" for k, v in raw.items()) or None
    return str(raw)


def _flag(value: bool | str | None) -> bool | None:
    if isinstance(value, bool) or value is None:
        return value
    word = value.strip().casefold()
    if word in ("on", "yes", "true", "enabled", "1", "private"):
        return True
    if word in ("off", "no", "false", "disabled", "0", "public"):
        return False
    return None


# --- passes 2 and 3: posts, then direct messages ----------------------------------------------


def _later_pass(
    archive: Archive,
    name: str,
    imp: SourceImport,
    survey: _Survey,
    sections: tuple[str, ...],
) -> Iterator[Hit]:
    present = [survey.section_of[s] for s in sections if s in survey.section_of]
    if not present:
        return
    walker = _Walker(dict.fromkeys(sections, "records"), stop_after=max(present))
    where = archive.display(name)

    def report(line: str) -> None:
        if survey.fault is None:  # the first pass already named the same fault
            survey.fault = line
            imp.error(where, line)

    try:
        yield from _scan(archive, name, walker, report)
    except _NotAnObject:
        report(f"{EXPECTED}: it changed while being read")
    except InputError as exc:
        report(exc.message)


def _posts(
    archive: Archive, name: str, imp: SourceImport, account: Account, survey: _Survey
) -> Iterator[Post]:
    videos = uncaptioned = 0
    for section, _keys, value in _later_pass(archive, name, imp, survey, ("videos", "comments")):
        record = _fields(value)
        when = _text(record.get("date"))
        if section == "videos":
            videos += 1
            text = next((t for k in CAPTION_KEYS if (t := _text(record.get(k)))), "")
            if not text:
                uncaptioned += 1
                continue
            link = _text(record.get("link"))
            yield Post(
                id=_video_id(link) or f"video:{_digest(when, text)}",
                text=text,
                account=account.key,
                created_at=_time(when),
                url=link or None,
                has_media=True,
                platform="tiktok",
                visibility=_visibility(_text(record.get("whocanview"))),
            )
        else:
            text = _text(record.get("comment"))
            if not text:
                continue
            yield Post(
                id=f"comment:{_digest(when, text)}",
                text=text,
                account=account.key,
                created_at=_time(when),
                url=_text(record.get("url")) or None,
                has_media=bool(_text(record.get("photo"))),
                platform="tiktok",
                kind="comment",
            )
    if uncaptioned:
        imp.files_missing.append(
            f"{posixpath.basename(name)}: the caption of {uncaptioned} of {videos} videos (the "
            "export has no text for them, so they were not audited)"
        )


def _messages(
    archive: Archive, name: str, imp: SourceImport, account: Account, survey: _Survey
) -> Iterator[Message]:
    own = (account.handle or "").casefold()
    for _section, keys, value in _later_pass(archive, name, imp, survey, ("messages",)):
        partner = _partner(keys[-1])
        record = _fields(value)
        sender = _text(record.get("from")).lstrip("@").casefold()
        yield Message(
            conversation=partner,
            account=account.key,
            # without a user name, whatever the partner did not send is the user's
            from_user=sender == own if own else bool(sender) and sender != partner.casefold(),
            text=_text(record.get("content")),
            sent_at=_time(record.get("date")),
            platform="tiktok",
        )


# --- values ---------------------------------------------------------------------------------


def _fields(value: Any) -> dict[str, Any]:
    """A record's fields by normalised key: exports write `Date`, `date` and `Date ` alike."""
    return {_norm(k): v for k, v in value.items()} if isinstance(value, dict) else {}


def _text(value: Any) -> str:
    if not isinstance(value, str):
        return ""
    value = value.strip()
    return "" if value.casefold() in EMPTY else value


def _time(value: Any) -> datetime | None:
    text = _text(value)
    if not text:
        return None
    try:
        return datetime.strptime(text.removesuffix(" UTC"), "%Y-%m-%d %H:%M:%S").replace(tzinfo=UTC)
    except ValueError:
        return iso_time(text)


def _video_id(link: str) -> str | None:
    m = _VIDEO_ID.search(link)
    return (m.group(1) or m.group(2)) if m else None


def _digest(when: str, text: str) -> str:
    """An id stable across exports for records that carry none."""
    return hashlib.sha256(f"{when}\x1f{text}".encode()).hexdigest()[:16]


def _visibility(who: str) -> str | None:
    who = who.casefold()
    if who in ("everyone", "public"):
        return "public"
    if who in ("friends", "followers", "mutual friends"):
        return "followers"
    return None


def _partner(key: str) -> str:
    """`Chat History with dr.kim:` -> `dr.kim`."""
    return _CHAT_PREFIX.sub("", key).strip().rstrip(":").strip() or key
