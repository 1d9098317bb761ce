"""The Bluesky importer on four real repositories (indigo's test data) and on small v3
repositories built here: a chat declaration, self-labels, gates, corrupt and cut-short files."""

import hashlib
import json
import zipfile
from collections import Counter
from datetime import UTC, datetime

import libipld
import pytest

from auditor.engine import open_source
from auditor.errors import InputError
from auditor.plugins import discover
from auditor.sources.bluesky import tid_time

from conftest import DATA, EXAMPLE, ROOT, run_cli

REAL = DATA / "bluesky"
ME = "did:plc:testclinician0000000000"
OTHER = "did:plc:someoneelse00000000000000"


def read(path, platform=None):
    imp = open_source(path, discover(), platform)
    return imp, list(imp.posts)


def settings_of(imp):
    ((_account, security),) = imp.accounts.values()
    return {s.name: s.value for s in security.settings}


# --- building repositories ----------------------------------------------------------------


def varint(n):
    out = bytearray()
    while True:
        byte, n = n & 0x7F, n >> 7
        out.append(byte | (0x80 if n else 0))
        if not n:
            return bytes(out)


def cid_of(block):
    return b"\x01\x71\x12\x20" + hashlib.sha256(block).digest()


def section(block):
    cid = cid_of(block)
    return varint(len(cid) + len(block)) + cid + block


def node(rows, left=None):
    """One MST node over (full key, value CID, right subtree) rows, keys prefix-compressed."""
    entries, prev = [], b""
    for key, value, right in rows:
        p = 0
        while p < min(len(prev), len(key)) and prev[p] == key[p]:
            p += 1
        entries.append({"k": key[p:], "p": p, "t": right, "v": value})
        prev = key
    return libipld.encode_dag_cbor({"e": entries, "l": left})


def tree(items, fanout, blocks):
    """A tree of nodes holding at most `fanout` entries, over sorted (key, value CID) items."""
    if not items:
        return None
    if len(items) <= fanout:
        block = node([(k, v, None) for k, v in items])
    else:
        size = -(-len(items) // fanout)
        chunks = [items[i : i + size] for i in range(0, len(items), size)]
        left = tree(chunks[0][:-1], fanout, blocks)
        rows = []
        for j, chunk in enumerate(chunks):
            key, value = chunk[-1]
            right = tree(chunks[j + 1][:-1], fanout, blocks) if j + 1 < len(chunks) else None
            rows.append((key, value, right))
        block = node(rows, left)
    blocks.append(block)
    return cid_of(block)


def repo(records, fanout=32, did=ME, version=3):
    """A CAR: header, commit, tree nodes, then the records in key order."""
    encoded = sorted((key.encode(), libipld.encode_dag_cbor(rec)) for key, rec in records.items())
    nodes = []
    data = tree([(k, cid_of(b)) for k, b in encoded], fanout, nodes)
    commit = {"did": did, "version": version, "data": data, "prev": None, "sig": b"s" * 64}
    if version == 3:
        commit["rev"] = "3kabcdefghij2"
    commit_block = libipld.encode_dag_cbor(commit)
    header = libipld.encode_dag_cbor({"roots": [cid_of(commit_block)], "version": 1})
    out = varint(len(header)) + header + section(commit_block)
    out += b"".join(section(n) for n in nodes)
    return out + b"".join(section(b) for _, b in encoded)


def post(text, when, **extra):
    return {"$type": "app.bsky.feed.post", "text": text, "createdAt": when, **extra}


def strong_ref(did, rkey):
    return {"uri": f"at://{did}/app.bsky.feed.post/{rkey}", "cid": "bafyrei"}


RECORDS = {
    "app.bsky.actor.profile/self": {
        "$type": "app.bsky.actor.profile",
        "displayName": "Dr. Test Clinician",
        "labels": {
            "$type": "com.atproto.label.defs#selfLabels",
            "values": [{"val": "!no-unauthenticated"}, {"val": "graphic-media"}],
        },
    },
    "chat.bsky.actor.declaration/self": {
        "$type": "chat.bsky.actor.declaration",
        "allowIncoming": "following",
    },
    "app.bsky.feed.post/3kaaaaaaaaa22": post("Morning rounds done.", "2024-03-01T08:00:00.000Z"),
    "app.bsky.feed.post/3kaaaaaaaab22": post(
        "Look at this x-ray",
        "2024-03-01T09:30:00-07:00",
        embed={
            "$type": "app.bsky.embed.images",
            "images": [{"alt": "Chest x-ray of Mr K. in bed 4", "image": {"$type": "blob"}}],
        },
    ),
    "app.bsky.feed.post/3kaaaaaaaac22": post(
        "And a follow-up.",
        "2024-03-01T10:00:00.000Z",
        reply={"root": strong_ref(ME, "3kaaaaaaaaa22"), "parent": strong_ref(ME, "3kaaaaaaaaa22")},
    ),
    "app.bsky.feed.post/3kaaaaaaaad22": post(
        "Agreed!",
        "2024-03-02T10:00:00.000Z",
        reply={"root": strong_ref(OTHER, "3k999"), "parent": strong_ref(OTHER, "3k999")},
    ),
    "app.bsky.feed.post/3kaaaaaaaae22": {"$type": "app.bsky.feed.post", "createdAt": "x"},
    "app.bsky.feed.post/3kaaaaaaaaf22": post(12, "2024-03-03T00:00:00Z"),
    "app.bsky.feed.post/3kaaaaaaaag22": {"$type": "app.bsky.feed.post", "text": "No date"},
    "app.bsky.feed.repost/3kaaaaaaaah22": {
        "$type": "app.bsky.feed.repost",
        "subject": strong_ref(OTHER, "3k999"),
        "createdAt": "2024-03-04T00:00:00.000Z",
    },
    "app.bsky.feed.like/3kaaaaaaaai22": {
        "$type": "app.bsky.feed.like",
        "subject": strong_ref(OTHER, "3k999"),
        "createdAt": "2024-03-04T00:00:00.000Z",
    },
    "app.bsky.feed.threadgate/3kaaaaaaaab22": {
        "$type": "app.bsky.feed.threadgate",
        "post": f"at://{ME}/app.bsky.feed.post/3kaaaaaaaab22",
        "allow": [{"$type": "app.bsky.feed.threadgate#followingRule"}],
    },
    "app.bsky.graph.follow/3kaaaaaaaaj22": {"$type": "app.bsky.graph.follow", "subject": OTHER},
    "app.bsky.feed.vote/3kaaaaaaaak22": {"$type": "app.bsky.feed.vote", "direction": "up"},
}


@pytest.fixture
def v3(tmp_path):
    path = tmp_path / "repo.car"
    path.write_bytes(repo(RECORDS, fanout=4))  # a few entries a node: a tree three levels deep
    return path


# --- real repositories --------------------------------------------------------------------


def test_fakermaker_current_tree_of_a_v2_history():
    imp, posts = read(REAL / "fakermaker.repo.car")
    assert (imp.platform, imp.layout) == ("bluesky", "bluesky-car-v2")
    own = [p for p in posts if not p.is_repost]
    assert len(own) == 26 and sum(p.is_repost for p in posts) == 15
    assert sum(1 for p in own if p.reply_to) == 23
    assert sum(p.has_media for p in own) == 1
    (pic,) = [p for p in own if p.has_media]
    assert pic.text.endswith("\nGoat cheese black olive mashed potatoes")  # the alt text
    first = own[0]
    assert first.id == "3juazpfj7zj2y"
    assert first.created_at.isoformat() == "2023-04-26T07:09:11+00:00"
    assert first.url == (
        "https://bsky.app/profile/did:plc:dpg45vsnuir2vqqqadsn6afg/post/3juazpfj7zj2y"
    )
    assert all(p.platform == "bluesky" and p.visibility == "public" for p in own)
    ((account, security),) = imp.accounts.values()
    assert account.key == "bluesky:did:plc:dpg45vsnuir2vqqqadsn6afg"
    assert account.display_name == "Herminia Schroeder"
    assert security.private is False and security.two_factor_notes
    assert settings_of(imp) == {"no_unauthenticated": False, "threadgates": "0", "postgates": "0"}
    assert "fakermaker.repo.car#app.bsky.graph.follow (78 records)" in imp.files_found
    assert imp.errors == []


def test_paul_staging_embeds_self_replies_and_obsolete_collections():
    imp, posts = read(REAL / "paul_staging.repo.car")
    own = [p for p in posts if not p.is_repost]
    assert len(own) == 101 and sum(p.is_repost for p in posts) == 15
    assert sum(p.has_media for p in own) == 44  # 42 image embeds, 2 quotes with images
    replies = Counter(p.reply_to for p in own if p.reply_to)
    assert sum(replies.values()) == 19
    assert replies["did:plc:cmpvykrzb2l22kj4ojlv3ox4"] == 11  # threads of his own
    by_id = {p.id: p for p in own}
    assert by_id["3jhb2kwqvoc2k"].text == "Hello, world"
    assert by_id["3jhb2kwqvoc2k"].created_at.isoformat() == "2022-11-11T20:57:04.320000+00:00"
    assert by_id["3jkcufzuytk2k"].text.startswith("Multi image test")
    assert imp.layout == "bluesky-car-v2" and imp.errors == []


def test_greenground_v3_commit_with_only_follows():
    imp, posts = read(REAL / "greenground.repo.car")
    assert imp.layout == "bluesky-car-v3" and posts == []
    assert next(iter(imp.accounts)) == "bluesky:did:plc:kzcqyc3unb33eh5sxzsfs25z"
    assert imp.files_found == [
        "greenground.repo.car",
        "greenground.repo.car#app.bsky.graph.follow (2 records)",
    ]
    assert imp.errors == []


def test_repo_slice_is_a_partial_import_naming_the_missing_blocks():
    imp, posts = read(REAL / "repo_slice.car")
    assert [p.id for p in posts] == ["3jquh3emtzo2o"]
    assert posts[0].has_media  # the legacy {cid, mimeType} blob form
    messages = [e.message for e in imp.errors]
    assert messages == [
        "1 block of the repository tree missing (a partial export?): the records under them "
        "were not read",
        "4 records missing from the file (a partial export?): they were not read",
    ]


# --- a built v3 repository ----------------------------------------------------------------


def test_v3_posts_alt_text_replies_reposts_and_settings(v3):
    imp, posts = read(v3)
    assert imp.layout == "bluesky-car-v3" and imp.errors == []
    by_id = {p.id: p for p in posts}
    # no text (or text of the wrong type): skipped; likes, follows, gates and votes: never posts
    assert sorted(by_id) == [
        "3kaaaaaaaaa22",
        "3kaaaaaaaab22",
        "3kaaaaaaaac22",
        "3kaaaaaaaad22",
        "3kaaaaaaaag22",
        "3kaaaaaaaah22",
    ]
    pic = by_id["3kaaaaaaaab22"]
    assert pic.text == "Look at this x-ray\nChest x-ray of Mr K. in bed 4"
    assert pic.has_media and pic.media == ()
    assert pic.created_at.isoformat() == "2024-03-01T16:30:00+00:00"
    assert by_id["3kaaaaaaaac22"].reply_to == ME  # a self-reply names the user
    assert by_id["3kaaaaaaaad22"].reply_to == OTHER
    assert by_id["3kaaaaaaaaa22"].reply_to is None
    assert by_id["3kaaaaaaaac22"].reply_to_id in by_id  # the parent's record key
    assert by_id["3kaaaaaaaag22"].created_at == tid_time("3kaaaaaaaag22")
    repost = by_id["3kaaaaaaaah22"]
    assert repost.is_repost and repost.text == ""
    ((account, security),) = imp.accounts.values()
    assert (account.key, account.display_name) == (f"bluesky:{ME}", "Dr. Test Clinician")
    assert settings_of(imp) == {
        "allow_incoming_dms": "following",
        "no_unauthenticated": True,
        "self_label": "graphic-media",
        "threadgates": "1",
        "postgates": "0",
    }
    assert security.private is False


def test_tid_time():
    # the TID of a post created at 20:57:04.320: the server's clock, a moment later
    assert tid_time("3jhb2kwqvoc2k") == datetime(2022, 11, 11, 20, 57, 4, 485000, UTC)
    assert tid_time("self") is None and tid_time("zzzzzzzzzzzzz") is None


def test_a_flat_and_a_deep_tree_read_the_same(tmp_path):
    flat, deep = tmp_path / "flat.car", tmp_path / "deep.car"
    flat.write_bytes(repo(RECORDS, fanout=64))
    deep.write_bytes(repo(RECORDS, fanout=2))
    _, a = read(flat)
    _, b = read(deep)
    assert [(p.id, p.text) for p in a] == [(p.id, p.text) for p in b] and len(a) == 6


def test_car_inside_a_zip(tmp_path, v3):
    target = tmp_path / "bluesky-export.zip"
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as z:
        z.write(v3, "export/repo.car")
    imp, posts = read(target)
    assert (imp.platform, imp.layout) == ("bluesky", "bluesky-car-v3")
    assert imp.files_found[0] == "export/repo.car"
    assert len(posts) == 6 and imp.errors == []


def test_scan_reports_platform_layout_and_the_patient_alt_text(tmp_path, v3):
    proc = run_cli("scan", v3, "-f", "json", "-q", cwd=tmp_path)
    assert proc.returncode == 1, proc.stderr  # findings
    doc = json.loads(proc.stdout)
    (source,) = doc["coverage"]["sources"]
    assert (source["platform"], source["layout"]) == ("bluesky", "bluesky-car-v3")
    assert (source["posts_read"], source["reposts_skipped"]) == (6, 1)
    assert doc["accounts"][0]["posts_scanned"] == 5
    flagged = {f["post"]["id"] for f in doc["findings"] if f["check"].startswith("content.")}
    assert "3kaaaaaaaab22" in flagged  # "Mr K. in bed 4" was only in the alt text


# --- bad input ----------------------------------------------------------------------------


def sections_of(data):
    """(where the length prefix starts, where the CID starts) of each section."""
    pos = 1 + data[0]  # the headers built here are under 128 bytes
    found = []
    while pos < len(data):
        start, n, shift = pos, 0, 0
        while True:
            byte = data[pos]
            pos += 1
            n |= (byte & 0x7F) << shift
            shift += 7
            if byte < 0x80:
                break
        found.append((start, pos))
        pos += n
    return found


def test_corrupt_varint_keeps_the_records_before_it(tmp_path):
    data = repo(RECORDS)
    last = sections_of(data)[-1][0]
    bad = tmp_path / "corrupt.car"
    bad.write_bytes(data[:last] + b"\xff" * 12)
    imp, posts = read(bad)
    assert len(posts) == 6  # the last block is the chat declaration, never a post
    (error,) = imp.errors
    assert error.message.startswith(f"corrupt at byte {last:,} (a length prefix longer than")
    assert "1 record and 0 tree blocks of the repository lost" in error.message
    assert "allow_incoming_dms" not in settings_of(imp)


def test_truncated_block_keeps_the_records_before_it(tmp_path):
    cut = tmp_path / "cut.car"
    cut.write_bytes(repo(RECORDS)[:-10])  # inside the last block
    imp, posts = read(cut)
    assert len(posts) == 6
    (error,) = imp.errors
    assert error.message.startswith("cut short at byte ")
    assert "past the end of the file" in error.message
    assert "1 record and 0 tree blocks of the repository lost" in error.message


@pytest.mark.parametrize("damage", ["absurd-length", "bad-cid", "lost-node"])
def test_damaged_framing_is_one_line(tmp_path, damage):
    data = repo(RECORDS)
    (start, body), node_at = sections_of(data)[3], sections_of(data)[1]
    if damage == "absurd-length":
        data = data[:start] + varint(1 << 30) + data[body:]
        expected = "over 8 MiB"
    elif damage == "bad-cid":
        data = data[:body] + b"\x07" + data[body + 1 :]
        expected = "a malformed CID"
    else:
        next_start = sections_of(data)[2][0]
        data = data[: node_at[0]] + data[next_start:]  # the one tree node is gone
        expected = "1 block of the repository tree missing (a partial export?)"
    path = tmp_path / "damaged.car"
    path.write_bytes(data)
    imp, posts = read(path)
    assert [e.message for e in imp.errors if expected in e.message] and len(imp.errors) == 1, (
        imp.errors
    )
    if damage == "lost-node":
        assert posts == []


def test_no_root_commit_is_an_input_error(tmp_path):
    data = repo(RECORDS)
    (commit, _), (node_at, _) = sections_of(data)[:2]
    path = tmp_path / "rootless.car"
    path.write_bytes(data[:commit] + data[node_at:])
    with pytest.raises(InputError, match="the root commit named in the header is not in the file"):
        open_source(path, discover())


def test_cli_on_bad_input_is_one_line_without_traceback(tmp_path):
    data = repo(RECORDS)
    corrupt = tmp_path / "corrupt.car"
    corrupt.write_bytes(data[: sections_of(data)[-1][0]] + b"\xff" * 12)
    random_car = tmp_path / "random.car"
    random_car.write_bytes(hashlib.sha256(b"x").digest() * 40)
    random_bin = tmp_path / "random.bin"
    random_bin.write_bytes(random_car.read_bytes())
    cases = [
        ([corrupt], 3, "corrupt at byte"),
        ([random_car], 2, "not a Bluesky repository: expected a CAR v1 header"),
        ([random_bin, "--platform", "bluesky"], 2, "--platform bluesky"),
        ([EXAMPLE, "--platform", "bluesky"], 2, "finds none of its marker files"),
    ]
    for args, code, text in cases:
        proc = run_cli("scan", *args, "-f", "json", "-q", cwd=tmp_path)
        assert proc.returncode == code, (args, proc.returncode, proc.stderr)
        assert "Traceback" not in proc.stderr
        lines = proc.stderr.splitlines()
        assert len(lines) == 1 and lines[0].startswith("auditor: ") and text in lines[0], lines
    assert corrupt.read_bytes() == data[: sections_of(data)[-1][0]] + b"\xff" * 12


def test_benchmark_generator_builds_a_deep_readable_tree(tmp_path):
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "throughput_bluesky", ROOT / "benchmarks" / "throughput_bluesky.py"
    )
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    path = tmp_path / "bench.car"
    stats = bench.write_car(path, 3000, bench.DEFAULT_SEED)
    imp, posts = read(path)
    assert imp.errors == [] and imp.layout == "bluesky-car-v3"
    own = [p for p in posts if not p.is_repost]
    assert len(own) == 3000 == stats["posts"]
    assert sum(p.is_repost for p in posts) == stats["reposts"]
    assert sum(1 for p in own if p.reply_to) == stats["replies"]
    assert stats["tree_depth"] >= 3


def test_a_subtree_linked_twice_is_refused_not_walked_again(tmp_path):
    records = [
        (f"app.bsky.feed.post/3kaaaaaaaa{c}22".encode(), post(c, "2024-01-01")) for c in "abc"
    ]
    blocks = [libipld.encode_dag_cbor(r) for _, r in records]
    (k1, _), (k2, _), (k3, _) = records
    shared = node([(k2, cid_of(blocks[1]), None)])
    # k2 belongs between k1 and k3 only: the link under k3 repeats it out of order
    root = node([(k1, cid_of(blocks[0]), cid_of(shared)), (k3, cid_of(blocks[2]), cid_of(shared))])
    commit = libipld.encode_dag_cbor(
        {"did": ME, "version": 3, "data": cid_of(root), "rev": "3kabcdefghij2", "sig": b"s"}
    )
    header = libipld.encode_dag_cbor({"roots": [cid_of(commit)], "version": 1})
    path = tmp_path / "twice.car"
    path.write_bytes(
        varint(len(header)) + header + b"".join(map(section, [commit, root, shared, *blocks]))
    )
    imp, posts = read(path)
    assert [p.text for p in posts] == ["a", "b", "c"]
    (error,) = imp.errors
    assert error.message.startswith("1 block of the repository tree corrupt")
