"""Bluesky repository export (`repo.car`: Settings > Account > Export my data, or the public
`com.atproto.sync.getRepo`).

A CAR v1 file: a varint-framed DAG-CBOR header naming the root (the signed commit), then
varint-framed sections of CID + DAG-CBOR block, in any order. The commit's `data` is the root
of a Merkle search tree (MST) whose keys are `<collection>/<rkey>` and whose values are record
CIDs; each node entry stores only the key suffix after `p` bytes shared with the previous key.
An old (v2) repository may carry its whole commit history; only the tree under the root commit
is the current state. One pass indexes every block by CID; blocks are then decoded on demand,
so memory holds an index, not the repository.

`app.bsky.feed.post` records are the user's words (text, plus image and video alt texts);
reposts are counted and skipped; likes, follows, blocks, lists and obsolete collections are
never posts. Security evidence: the chat declaration (who may send direct messages), the
profile's self-labels (`!no-unauthenticated`), reply and quote gates. A repository holds no
direct messages, no e-mail and no two-factor state, and everything in it is public.
"""

from __future__ import annotations

import zipfile
import zlib
from array import array
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, BinaryIO

from libipld import decode_dag_cbor

from auditor.archive import Archive
from auditor.errors import InputError
from auditor.model import Account, Post, Profile, SecurityState, Setting
from auditor.sources.base import Detection, Source, SourceImport
from auditor.sources.values import as_dict, as_list, as_str, iso_time

# A record is at most a few KB and a tree node a few hundred entries; the atproto sync limit
# for one block is 2 MiB, so 8 MiB only ever means a corrupt length.
MAX_BLOCK = 8 << 20
MAX_HEADER = 1 << 20
CHUNK = 1 << 20
# An MST's layers come from 2-bit runs of a key hash: 32 layers would need 2**64 records.
MAX_DEPTH = 64
# Inside a zip or tar a member seeks backwards only by inflating again from its start, so its
# blocks are kept in memory instead; past this size the user is asked to extract the file.
MAX_IN_MEMORY = 512 << 20
DAG_CBOR = 0x71
CID_PREFIX = b"\x01\x71\x12\x20"  # CIDv1, dag-cbor, sha2-256 (32 bytes): nearly every block

# Records never read, and by far the most numerous in a real account: left out of the index
# so memory follows the posts, not the likes. DAG-CBOR sorts map keys by length first, so in
# such a record `$type` is the first key and its value begins right after the map header.
UNREAD = ("app.bsky.feed.like", "app.bsky.graph.follow", "app.bsky.graph.block")
UNREAD_TYPES = tuple(b"\x65$type" + bytes([0x60 + len(t)]) + t.encode() for t in UNREAD)

POST = "app.bsky.feed.post"
REPOST = "app.bsky.feed.repost"
PROFILE_KEY = b"app.bsky.actor.profile/self"
DECLARATION_KEY = b"chat.bsky.actor.declaration/self"
GATES = {"app.bsky.feed.threadgate": "threadgates", "app.bsky.feed.postgate": "postgates"}
NO_UNAUTHENTICATED = "!no-unauthenticated"
TID_ALPHABET = "234567abcdefghijklmnopqrstuvwxyz"
TID_DIGITS = {c: i for i, c in enumerate(TID_ALPHABET)}
EXPORT_ADVICE = "export it again under Settings > Account > Export my data"


class BlueskySource(Source):
    name = "bluesky"
    title = "Bluesky repository (repo.car)"

    @classmethod
    def detect(cls, archive: Archive) -> Detection | None:
        cars = _cars(archive)
        if not cars:
            return None
        return Detection("bluesky", "bluesky-car", 10 if archive.kind == "file" else 6)

    def read(self, archive: Archive, detection: Detection) -> SourceImport:
        imp = SourceImport(str(archive.path), "bluesky", detection.layout)
        imp.errors.extend(archive.problems)
        cars = _cars(archive)
        name = cars[0]
        imp.files_found.append(name)
        for other in cars[1:]:
            imp.error(archive.display(other), "a second repository in the archive: scan it alone")
        repo = _open_repo(archive, name)
        imp.layout = f"bluesky-car-v{repo.version}" if repo.version else detection.layout
        profile, declaration, gates = _survey(repo)
        handle = repo.did
        display = as_str(profile.get("displayName")) or None
        account = Account("bluesky", handle, display_name=display)
        imp.add_account(account, _security(profile, declaration, gates))
        imp.posts = _posts(repo, imp, account)
        return imp


def _cars(archive: Archive) -> list[str]:
    if archive.kind == "file":
        names = archive.names()
        return names if names[0].lower().endswith(".car") else []
    cars = [n for n in archive.names() if n.lower().endswith(".car")]
    return sorted(cars, key=lambda n: (n.count("/"), n))


class _Corrupt(Exception):
    """The CAR framing is broken at this point: what was expected and not found."""


# --- the block store --------------------------------------------------------------------------


class _Blocks:
    """The repository's DAG-CBOR blocks. In a real file: an index of where each block lies,
    in flat arrays (13 to 19 bytes a block, where a dict of CID bytes takes about 150, and the
    index is most of what this importer holds), read back by seeking. Inside a zip or tar:
    the blocks themselves, in memory."""

    def __init__(self, archive: Archive, name: str, in_memory: bool, size: int = 0) -> None:
        self.archive = archive
        self.name = name
        self.in_memory = in_memory
        self.memory: dict[bytes, bytes] = {}
        self.held = 0
        self.stream: BinaryIO | None = None
        # The last 4 bytes of each block's digest (already uniform) and where its section
        # starts (at its length prefix): 8 bytes a block under 4 GiB. A tag shared by two
        # blocks only costs a second read: `get` checks the whole CID.
        self.tags = array("I")
        self.offsets = array("I" if size < 1 << 32 else "Q")
        # Open addressing: block number + 1, 0 is empty. Grown by doubling past three-quarters
        # load rather than sized from the file, whose blocks vary too much in size: the slots
        # then take 5-11 bytes a block, and rehashing a few times costs well under a second.
        capacity = 1024
        self.slots = array("I", [0]) * capacity
        self.mask = capacity - 1

    def keep(self, cid: bytes, block: bytes) -> int:
        """Hold a block in memory; the bytes held so far."""
        if cid not in self.memory:
            self.memory[cid] = block
            self.held += len(block)
        return self.held

    def add(self, tag: int, offset: int) -> None:
        """Index the section whose length prefix is at `offset` and whose CID ends in the 4
        bytes `tag`."""
        self.tags.append(tag)
        self.offsets.append(offset)
        number = len(self.tags)
        if number * 4 > self.mask * 3:
            self._grow()
            return
        slots, mask = self.slots, self.mask
        i = tag & mask
        while slots[i]:
            i = (i + 1) & mask
        slots[i] = number

    def _place(self, tag: int, number: int) -> None:
        slots, mask = self.slots, self.mask
        i = tag & mask
        while slots[i]:
            i = (i + 1) & mask
        slots[i] = number

    def _grow(self) -> None:
        size = (self.mask + 1) * 2
        self.slots = array("I", [0]) * size
        self.mask = size - 1
        for n, tag in enumerate(self.tags, 1):
            self._place(tag, n)

    def has(self, cid: bytes) -> bool:
        if self.in_memory:
            return cid in self.memory
        tag = int.from_bytes(cid[-4:], "little")
        slots, tags, mask = self.slots, self.tags, self.mask
        i = tag & mask
        while n := slots[i]:
            if tags[n - 1] == tag:
                return True  # a false match (2**-64) only leaves a missing record uncounted
            i = (i + 1) & mask
        return False

    def get(self, cid: bytes) -> bytes | None:
        if self.in_memory:
            return self.memory.get(cid)
        stream = self.stream
        if stream is None:
            stream = self.stream = self.archive.open(self.name)
        tag = int.from_bytes(cid[-4:], "little")
        slots, tags, mask = self.slots, self.tags, self.mask
        i = tag & mask
        while n := slots[i]:
            if tags[n - 1] == tag:
                stream.seek(self.offsets[n - 1])  # inside the read buffer: no system call
                head = stream.read(10)
                if head[0] < 0x80:  # nearly every block: a one-byte length
                    length, used = head[0], 1
                else:
                    length, used = _varint_at(head, 0)  # checked when indexed
                more = length - (len(head) - used)
                section = head[used : used + length] + (stream.read(more) if more > 0 else b"")
                if section.startswith(cid):
                    return section[len(cid) :]
            i = (i + 1) & mask
        return None

    def close(self) -> None:
        if self.stream is not None:
            self.stream.close()
            self.stream = None


@dataclass
class _Repo:
    blocks: _Blocks
    did: str
    version: int | None
    data: bytes
    where: str
    cut: str | None = None  # why indexing stopped early: the blocks after it are not there


@dataclass
class _Tree:
    """What a walk of the tree met besides records: for the coverage lines."""

    missing_nodes: int = 0
    bad_nodes: int = 0
    missing_records: int = 0
    bad_records: int = 0
    collections: Counter[str] = field(default_factory=Counter)


def _open_repo(archive: Archive, name: str) -> _Repo:
    """Index the file and read its root commit; InputError when there is no repository."""
    where = archive.display(name)
    size = archive.size(name)
    blocks = _Blocks(archive, name, archive.kind in ("zip", "tar"), size)
    try:
        with archive.open(name) as stream:
            try:
                roots, start = _header(stream, size)
            except _Corrupt as exc:
                raise InputError(
                    where,
                    "not a Bluesky repository: expected a CAR v1 header {version: 1, roots} at "
                    f"the start, found {exc}; {EXPORT_ADVICE}",
                ) from None
            cut = _scan(stream, size, start, blocks)
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as exc:
        raise InputError(where, f"cannot be read ({exc}); {EXPORT_ADVICE}") from exc
    commit = _decode(blocks.get(roots[0]))
    blocks.close()  # reopened when the posts are read
    if commit is None:
        if cut:
            raise InputError(where, f"{cut}: before the root commit, so nothing was read")
        raise InputError(where, "the root commit named in the header is not in the file")
    did, data = commit.get("did"), commit.get("data")
    if not isinstance(did, str) or not did.startswith("did:") or not isinstance(data, bytes):
        raise InputError(where, "the root block is not a repository commit (no did or data)")
    version = commit.get("version")
    return _Repo(blocks, did, version if isinstance(version, int) else None, data, where, cut)


def _header(stream: BinaryIO, size: int) -> tuple[list[bytes], int]:
    try:
        length, n = _varint(stream)
    except _Corrupt:
        raise _Corrupt("no length prefix") from None
    if n == 0:
        raise _Corrupt("an empty file")
    if length == 0 or length > MAX_HEADER or length > size - n:
        raise _Corrupt(f"a length prefix of {length:,} bytes")
    value = _decode(stream.read(length))
    if not isinstance(value, dict):
        raise _Corrupt("bytes that are not a DAG-CBOR map")
    if value.get("version") != 1:
        raise _Corrupt(f"version {value.get('version')!r}")
    roots = [r for r in as_list(value.get("roots")) if isinstance(r, bytes)]
    if not roots:
        raise _Corrupt("no root commit")
    return roots, n + length


def _scan(stream: BinaryIO, size: int, offset: int, blocks: _Blocks) -> str | None:
    """Index every section from `offset` on, reading in large chunks; a reason when the file
    is cut short or corrupt."""
    buf, pos = b"", 0  # buf[pos] lies at byte `offset` of the file
    add, in_memory = blocks.add, blocks.in_memory
    while True:
        if len(buf) - pos < 64:  # room for any length prefix and CID
            buf, pos = buf[pos:] + stream.read(CHUNK), 0
            if not buf:
                return None
        at = offset
        length = buf[pos]
        if length < 0x80:  # blocks under 16 KiB: one or two bytes of length, nearly every one
            body = pos + 1
        elif pos + 1 < len(buf) and buf[pos + 1] < 0x80:
            length, body = (length & 0x7F) | buf[pos + 1] << 7, pos + 2
        else:
            try:
                length, body = _varint_at(buf, pos)
            except _Corrupt as exc:
                return f"corrupt at byte {at:,} ({exc})"
        offset += body - pos
        if length > MAX_BLOCK:
            return f"corrupt at byte {at:,} (a section declares {length:,} bytes, over 8 MiB)"
        if length > size - offset:
            return (
                f"cut short at byte {at:,} (a section declares {length:,} bytes, past the end "
                "of the file: an interrupted download?)"
            )
        end = body + length
        if end > len(buf):
            buf = buf[body:] + stream.read(max(length - (len(buf) - body), CHUNK))
            body, end = 0, length
            if end > len(buf):
                return f"cut short at byte {at:,} (the file ends inside a block)"
        if length >= 36 and buf.startswith(CID_PREFIX, body):
            cid_length, codec = 36, DAG_CBOR
        else:
            try:
                cid_length, codec = _cid(buf, body, end)
            except _Corrupt as exc:
                return f"corrupt at byte {offset:,} ({exc})"
        if codec == DAG_CBOR:  # raw blobs and other codecs are never records
            cid_end = body + cid_length
            if buf.startswith(UNREAD_TYPES, cid_end + 1):
                pass
            elif not in_memory:
                add(int.from_bytes(buf[cid_end - 4 : cid_end], "little"), at)
            elif blocks.keep(buf[body:cid_end], buf[cid_end:end]) > MAX_IN_MEMORY:
                return (
                    f"stopped at byte {at:,} (over {MAX_IN_MEMORY >> 20} MB inside an archive: "
                    "extract the .car file and scan it directly)"
                )
        pos = end
        offset += length


def _varint(stream: BinaryIO) -> tuple[int, int]:
    """An unsigned LEB128 varint and its size in bytes; (0, 0) at a clean end of file."""
    value = shift = 0
    for n in range(1, 10):
        byte = stream.read(1)
        if not byte:
            if n == 1:
                return 0, 0
            raise _Corrupt("the file ends inside a length prefix")
        value |= (byte[0] & 0x7F) << shift
        if byte[0] < 0x80:
            return value, n
        shift += 7
    raise _Corrupt("a length prefix longer than 9 bytes: a corrupt varint")


def _varint_at(buf: bytes, pos: int, end: int | None = None) -> tuple[int, int]:
    """The varint at buf[pos] (read no further than `end`) and the position after it."""
    value = shift = 0
    end = len(buf) if end is None else end
    for i in range(pos, min(pos + 9, end)):
        byte = buf[i]
        value |= (byte & 0x7F) << shift
        if byte < 0x80:
            return value, i + 1
        shift += 7
    if end - pos < 9:
        raise _Corrupt("the file ends inside a length prefix")
    raise _Corrupt("a length prefix longer than 9 bytes: a corrupt varint")


def _cid(buf: bytes, pos: int, end: int) -> tuple[int, int]:
    """The length of the CID at buf[pos] (a section ending at `end`), and its codec."""
    if buf.startswith(CID_PREFIX, pos):
        raise _Corrupt("a CID cut short")
    if buf[pos : pos + 2] == b"\x12\x20":  # CIDv0: dag-pb, never a repository block
        return 34, 0x70
    fields = []
    at = pos
    try:
        for _ in range(4):  # version, codec, hash function, digest length
            value, at = _varint_at(buf, at, end)
            fields.append(value)
    except _Corrupt:
        raise _Corrupt("a malformed CID") from None
    version, codec, _hash, digest = fields
    if version != 1 or at + digest > end:
        raise _Corrupt("a malformed CID")
    return at - pos + digest, codec


def _decode(raw: bytes | None) -> Any:
    if raw is None:
        return None
    try:
        return decode_dag_cbor(raw)
    except (ValueError, RecursionError, TypeError, OverflowError):
        return None


# --- the tree ---------------------------------------------------------------------------------


def _walk(
    blocks: _Blocks, root: bytes, tree: _Tree, wanted: tuple[bytes, ...] = ()
) -> Iterator[list[tuple[bytes, bytes]]]:
    """Runs of (key, record CID) in key order, a run for the entries between two subtrees;
    with `wanted` prefixes, only subtrees that may hold such keys are read."""
    ranges = [(p, p[:-1] + bytes([p[-1] + 1])) for p in wanted]
    stack: list[tuple[bool, Any, Any, Any, int]] = [(True, root, None, None, 0)]
    while stack:
        is_tree, a, b, c, depth = stack.pop()
        if not is_tree:
            yield a
            continue
        if ranges and not any((b is None or b < hi) and (c is None or c > lo) for lo, hi in ranges):
            continue
        raw = blocks.get(a)
        if raw is None:
            tree.missing_nodes += 1
            continue
        entries = _entries(_decode(raw))
        # Every key must lie strictly between the keys around its subtree, so the walk's keys
        # strictly increase and a node with keys linked twice (a loop) is refused the second
        # time; nodes with no keys only pass a layer down, and MAX_DEPTH bounds a chain of them.
        # No set of visited nodes is needed, so memory does not grow with the tree.
        if (
            entries is None
            or depth > MAX_DEPTH
            or (entries[1] and b is not None and entries[1][0][0] <= b)
            or (entries[1] and c is not None and entries[1][-1][0] >= c)
        ):
            tree.bad_nodes += 1
            continue
        items: list[tuple[bool, Any, Any, Any, int]] = []
        left, rows = entries
        depth += 1
        if left is not None:
            items.append((True, left, b, rows[0][0] if rows else c, depth))
        run: list[tuple[bytes, bytes]] = []
        for i, (key, value, right) in enumerate(rows):
            run.append((key, value))
            if right is not None:
                items.append((False, run, None, None, 0))
                run = []
                following = rows[i + 1][0] if i + 1 < len(rows) else c
                items.append((True, right, key, following, depth))
        if run:
            items.append((False, run, None, None, 0))
        stack.extend(reversed(items))


def _entries(node: Any) -> tuple[bytes | None, list[tuple[bytes, bytes, bytes | None]]] | None:
    """A node's left link and its (full key, value, right link) entries; None when malformed.
    Wrong types fail the slicing and concatenation, so they are caught, not checked one by one."""
    try:
        left = node["l"]
        rows = []
        key = b""
        for entry in node["e"]:
            prev, key = key, key[: entry["p"]] + entry["k"]
            if rows and key <= prev:
                return None
            value, right = entry["v"], entry.get("t")
            if value.__class__ is not bytes or not (right is None or right.__class__ is bytes):
                return None
            rows.append((key, value, right))
    except (KeyError, TypeError, IndexError):
        return None
    if not isinstance(key, bytes) or (left is not None and not isinstance(left, bytes)):
        return None
    return left, rows


def _survey(repo: _Repo) -> tuple[dict[str, Any], dict[str, Any], Counter[str]]:
    """The profile, the chat declaration and the gates, known before the first post is read:
    only the parts of the tree that can hold them are walked."""
    tree = _Tree()
    profile: dict[str, Any] = {}
    declaration: dict[str, Any] = {}
    gates: Counter[str] = Counter()
    blocks = repo.blocks
    wanted = (b"app.bsky.actor.profile/", b"chat.bsky.actor.declaration/")
    wanted += tuple(f"{g}/".encode() for g in GATES)
    try:
        for run in _walk(blocks, repo.data, tree, wanted):
            for key, cid in run:
                collection = key.partition(b"/")[0].decode("utf-8", "replace")
                if collection in GATES:
                    gates[collection] += 1
                elif key == PROFILE_KEY:
                    profile = as_dict(_decode(blocks.get(cid)))
                elif key == DECLARATION_KEY:
                    declaration = as_dict(_decode(blocks.get(cid)))
    finally:
        blocks.close()
    return profile, declaration, gates


def _report(repo: _Repo, imp: SourceImport, tree: _Tree) -> None:
    """The coverage lines of a full walk: each collection's count, and what was missing."""
    name = imp.files_found[0]
    for collection, count in sorted(tree.collections.items()):
        imp.files_found.append(f"{name}#{collection} ({_count(count, 'record')})")
    if repo.cut:  # what went missing is the cut's doing: one line says both
        lost = tree.missing_records + tree.missing_nodes
        imp.error(
            repo.where,
            f"{repo.cut}: the blocks after it were not read "
            f"({_count(tree.missing_records, 'record')} and "
            f"{_count(tree.missing_nodes, 'tree block')} of the repository lost); {EXPORT_ADVICE}"
            if lost
            else f"{repo.cut}: no record of the current repository was after it",
        )
    elif tree.missing_nodes:
        imp.error(
            repo.where,
            f"{_count(tree.missing_nodes, 'block')} of the repository tree missing (a partial "
            "export?): the records under them were not read",
        )
    if tree.bad_nodes:
        imp.error(
            repo.where,
            f"{_count(tree.bad_nodes, 'block')} of the repository tree corrupt (not a tree node): "
            "the records under them were not read",
        )
    if tree.missing_records and not repo.cut:
        imp.error(
            repo.where,
            f"{_count(tree.missing_records, 'record')} missing from the file (a partial export?): "
            "they were not read",
        )
    if tree.bad_records:
        imp.error(
            repo.where,
            f"{_count(tree.bad_records, 'record')} not valid DAG-CBOR (corrupt blocks): skipped",
        )


def _security(
    profile: dict[str, Any], declaration: dict[str, Any], gates: Counter[str]
) -> SecurityState:
    settings = []
    allow = as_str(declaration.get("allowIncoming"))
    if allow:
        settings.append(Setting("allow_incoming_dms", allow, "chat.bsky.actor.declaration"))
    if profile:
        labels = [
            as_str(as_dict(v).get("val"))
            for v in as_list(as_dict(profile.get("labels")).get("values"))
        ]
        settings.append(
            Setting("no_unauthenticated", NO_UNAUTHENTICATED in labels, "app.bsky.actor.profile")
        )
        settings += [
            Setting("self_label", label, "app.bsky.actor.profile")
            for label in labels
            if label and label != NO_UNAUTHENTICATED
        ]
    settings += [
        Setting(setting, str(gates.get(collection, 0)), collection)
        for collection, setting in GATES.items()
    ]
    return SecurityState(
        two_factor_notes=(
            "A Bluesky repository does not show e-mail two-factor authentication: check it "
            "under Settings > Privacy and security > Two-factor authentication.",
        ),
        private=False,
        private_evidence="a Bluesky repository is public by design: every record in it is",
        settings=tuple(settings),
        profile=(
            Profile(
                bio=as_str(profile.get("description")) or None,
                source="app.bsky.actor.profile",
            )
            if profile
            else None
        ),
    )


# --- the posts --------------------------------------------------------------------------------


def _posts(repo: _Repo, imp: SourceImport, account: Account) -> Iterator[Post]:
    """One walk of the whole tree: the posts and reposts, and the coverage of everything."""
    blocks, did = repo.blocks, repo.did
    has, get = blocks.has, blocks.get
    tree = _Tree()
    counts: dict[bytes, int] = {}
    post_prefix, repost_prefix = f"{POST}/".encode(), f"{REPOST}/".encode()
    unread = {t.encode() for t in UNREAD}  # not indexed: their presence is not checked
    try:
        for run in _walk(blocks, repo.data, tree):
            for key, cid in run:
                collection, _, rkey_bytes = key.partition(b"/")
                counts[collection] = counts.get(collection, 0) + 1
                is_post = key.startswith(post_prefix)
                if not is_post and not key.startswith(repost_prefix):
                    if collection not in unread and not has(cid):
                        tree.missing_records += 1
                    continue
                raw = get(cid)
                if raw is None:
                    tree.missing_records += 1
                    continue
                record = _decode(raw)
                if record.__class__ is not dict:
                    tree.bad_records += 1
                    continue
                rkey = rkey_bytes.decode("utf-8", "replace")
                if is_post:
                    post = post_of(record, rkey, did, account)
                    if post is not None:
                        yield post
                else:
                    yield repost_of(record, rkey, account)
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as exc:
        imp.error(repo.where, f"cannot be read ({exc}): the posts after it were not read")
    finally:
        blocks.close()
    for collection, count in counts.items():
        tree.collections[collection.decode("utf-8", "replace")] += count
    _report(repo, imp, tree)


def post_of(record: dict[str, Any], rkey: str, did: str, account: Account) -> Post | None:
    """A post record as a Post, for the repository and the live connector alike (one
    fingerprint from either source); None when the record is not a post."""
    text = record.get("text")
    if not isinstance(text, str) or record.get("$type", POST) != POST:
        return None
    alts, has_media = _media(record["embed"]) if "embed" in record else ((), False)
    words = "\n".join([text, *alts]) if alts else text
    return Post(
        id=rkey,
        text=words,
        account=account.key,
        created_at=_time(record.get("createdAt")) or tid_time(rkey),
        url=f"https://bsky.app/profile/{did}/post/{rkey}",
        reply_to=_reply_to(record, did, account) if "reply" in record else None,
        reply_to_id=_reply_rkey(record) if "reply" in record else None,
        has_media=has_media,
        platform="bluesky",
        visibility="public",
    )


def repost_of(record: dict[str, Any], rkey: str, account: Account) -> Post:
    """A repost record: counted as the account's, never audited as its words."""
    return Post(
        id=rkey,
        text="",
        account=account.key,
        created_at=_time(record.get("createdAt")) or tid_time(rkey),
        url=as_str(as_dict(record.get("subject")).get("uri")) or None,
        is_repost=True,
        platform="bluesky",
    )


def _media(embed: Any) -> tuple[list[str], bool]:
    """The alt texts the user wrote for their images or video, and whether there are any."""
    embed = as_dict(embed)
    kind = as_str(embed.get("$type"))
    if kind == "app.bsky.embed.recordWithMedia":
        return _media(embed.get("media"))
    if kind == "app.bsky.embed.images":
        images = [as_dict(i) for i in as_list(embed.get("images"))]
        return [a for i in images if (a := as_str(i.get("alt")).strip())], bool(images)
    if kind == "app.bsky.embed.video":
        alt = as_str(embed.get("alt")).strip()
        return ([alt] if alt else []), True
    return [], False


def _reply_to(record: dict[str, Any], did: str, account: Account) -> str | None:
    reply = as_dict(record.get("reply"))
    if not reply:
        return None
    uri = as_str(as_dict(reply.get("parent")).get("uri"))
    author = uri.removeprefix("at://").partition("/")[0] if uri.startswith("at://") else ""
    if not author:
        return "unknown"  # a reply whose parent is unreadable is still a reply
    return account.handle if author == did else author


def _reply_rkey(record: dict[str, Any]) -> str | None:
    """The record key of the post answered: the last part of its at:// URI."""
    uri = as_str(as_dict(as_dict(record.get("reply")).get("parent")).get("uri"))
    return (uri.rsplit("/", 1)[-1] or None) if uri.startswith("at://") else None


def _time(value: Any) -> datetime | None:
    """createdAt in UTC; the common `...Z` form without values.iso_time's clean-up first."""
    if value.__class__ is not str:
        return None
    try:
        when = datetime.fromisoformat(value)
    except ValueError:
        return iso_time(value)
    if when.tzinfo is UTC:
        return when
    return when.astimezone(UTC) if when.tzinfo else when.replace(tzinfo=UTC)


def _count(n: int, noun: str) -> str:
    return f"{n:,} {noun}" if n == 1 else f"{n:,} {noun}s"


def tid_time(rkey: str) -> datetime | None:
    """The time in a record key that is a TID: 53 bits of microseconds since 1970, then a
    10-bit clock id, in 13 base32-sortable characters."""
    if len(rkey) != 13 or rkey[0] not in "234567abcdefghij":
        return None
    value = 0
    for ch in rkey:
        digit = TID_DIGITS.get(ch)
        if digit is None:
            return None
        value = value << 5 | digit
    try:
        return datetime.fromtimestamp((value >> 10) / 1_000_000, UTC)
    except (OverflowError, OSError, ValueError):
        return None
