"""Throughput and peak-memory benchmark for ``auditor scan`` on a synthetic Bluesky ``repo.car``.

Usage::

    python benchmarks/throughput_bluesky.py N [--keep DIR] [--auditor CMD] [--runs R]
                                              [--memory-scaling] [--json] [--direct]
                                              [--fanout F] [--generate-only]

The script writes a v3 repository of N posts (replies, reposts, likes and follows mixed in, a
profile and a chat declaration), its tree grouped so a node holds about F entries (default 24),
then times, as separate processes, a baseline (``libipld.decode_car`` of the whole file: every
block decoded at once, the least code any tool needs) and
``auditor scan REPO.car --format json -o OUT --quiet``. Wall time and peak RSS come from
``throughput.py``'s launcher, so the figures compare with the X archive benchmark's.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import hashlib
import json
import os
import random
import shlex
import shutil
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import IO, Any

import libipld

sys.path.insert(0, str(Path(__file__).resolve().parent))
from throughput import (  # noqa: E402 - the sibling script, not an installed module
    RunResult,
    TextGen,
    _mb,
    _summary,
    benchmark_parser,
    default_auditor,
    measure,
)

GENERATOR_VERSION = 2
DEFAULT_SEED = 20240601  # the seed benchmark_parser defaults to
DEFAULT_FANOUT = 24
DID = "did:plc:drsamrivera4benchmark00"
OTHERS = [f"did:plc:colleague{i:04d}benchmark0000"[:32] for i in range(400)]
END_TIME = dt.datetime(2024, 12, 31, 21, 0, 0, tzinfo=dt.UTC)
START_TIME = END_TIME - dt.timedelta(days=round(2 * 365.25))
TID_ALPHABET = "234567abcdefghijklmnopqrstuvwxyz"

BASELINE_CODE = (
    "import sys, libipld\n"
    "header, blocks = libipld.decode_car(open(sys.argv[1], 'rb').read())\n"
    "assert header['roots'] and blocks\n"
)


def _varint(n: int) -> bytes:
    out = bytearray()
    while True:
        byte, n = n & 0x7F, n >> 7
        out.append(byte | (0x80 if n else 0))
        if not n:
            return bytes(out)


def _cid(block: bytes) -> bytes:
    return b"\x01\x71\x12\x20" + hashlib.sha256(block).digest()


def _section(block: bytes) -> bytes:
    cid = _cid(block)
    return _varint(len(cid) + len(block)) + cid + block


def tid(when: dt.datetime, clock: int) -> str:
    value = (int(when.timestamp() * 1_000_000) << 10) | (clock & 0x3FF)
    return "".join(TID_ALPHABET[(value >> (5 * i)) & 31] for i in range(12, -1, -1))


def _iso(when: dt.datetime) -> str:
    return when.strftime("%Y-%m-%dT%H:%M:%S.") + f"{when.microsecond // 1000:03d}Z"


def _node(rows: list[tuple[bytes, bytes, bytes | None]], left: bytes | None) -> bytes:
    entries, prev = [], b""
    for key, value, right in rows:
        p = 0
        limit = min(len(prev), len(key))
        while p < limit and prev[p] == key[p]:
            p += 1
        entries.append({"k": key[p:], "p": p, "t": right, "v": value})
        prev = key
    return libipld.encode_dag_cbor({"e": entries, "l": left})


def _tree(
    items: list[tuple[bytes, bytes]], fanout: int, out: list[bytes], depth: int = 1
) -> tuple[bytes | None, int]:
    """Nodes of `fanout` entries (the last of a level fewer) over sorted items, packed like a
    B-tree: (root CID, depth). A real MST places keys by their hash; the walk reads any
    well-formed tree the same way."""
    if not items:
        return None, 0
    if len(items) <= fanout:
        block = _node([(k, v, None) for k, v in items], None)
        out.append(block)
        return _cid(block), depth
    child = fanout  # the most items a subtree one level down holds
    while (child + 1) * (fanout + 1) - 1 < len(items):
        child = (child + 1) * (fanout + 1) - 1
    step = child + 1
    left, deepest = _tree(items[:child], fanout, out, depth + 1)
    rows = []
    for start in range(child, len(items), step):
        key, value = items[start]
        right, d = _tree(items[start + 1 : start + step], fanout, out, depth + 1)
        deepest = max(deepest, d)
        rows.append((key, value, right))
    block = _node(rows, left)
    out.append(block)
    return _cid(block), max(deepest, depth)


def _records(n: int, seed: int) -> Any:
    """(key, record) in creation order: posts with replies and image alt texts, reposts,
    likes, follows, then the profile and the chat declaration."""
    rng = random.Random(seed)
    text = TextGen(rng)
    step = (END_TIME - START_TIME) / max(n, 1)
    own: list[str] = []
    when = START_TIME
    clock = rng.randrange(1024)
    for i in range(n):
        when += step * rng.uniform(0.5, 1.5) if i else dt.timedelta(0)
        rkey = tid(when, clock)
        category = text.category()
        record: dict[str, Any] = {
            "$type": "app.bsky.feed.post",
            "text": text.post(category, 300),
            "langs": ["en"],
            "createdAt": _iso(when),
        }
        roll = rng.random()
        if roll < 0.25:
            parent_did = DID if own and rng.random() < 0.3 else rng.choice(OTHERS)
            parent = rng.choice(own[-50:]) if parent_did == DID else tid(when, clock + 1)
            ref = {"uri": f"at://{parent_did}/app.bsky.feed.post/{parent}", "cid": "bafyrei"}
            record["reply"] = {"root": ref, "parent": ref}
        elif roll < 0.30:
            alt = text.sentence(rng.choice(("hobby", "family", "work")))
            blob = {"$type": "blob", "mimeType": "image/jpeg", "size": 123456}
            record["embed"] = {
                "$type": "app.bsky.embed.images",
                "images": [{"alt": alt, "image": blob, "aspectRatio": {"width": 4, "height": 3}}],
            }
        own.append(rkey)
        yield f"app.bsky.feed.post/{rkey}", record
        subject = {"uri": f"at://{rng.choice(OTHERS)}/app.bsky.feed.post/{rkey}", "cid": "x"}
        if rng.random() < 0.05:
            yield (
                f"app.bsky.feed.repost/{tid(when, clock + 2)}",
                {
                    "$type": "app.bsky.feed.repost",
                    "subject": subject,
                    "createdAt": _iso(when),
                },
            )
        if rng.random() < 0.30:
            yield (
                f"app.bsky.feed.like/{tid(when, clock + 3)}",
                {
                    "$type": "app.bsky.feed.like",
                    "subject": subject,
                    "createdAt": _iso(when),
                },
            )
    for i, other in enumerate(OTHERS):
        yield (
            f"app.bsky.graph.follow/{tid(START_TIME, i)}",
            {
                "$type": "app.bsky.graph.follow",
                "subject": other,
                "createdAt": _iso(START_TIME),
            },
        )
    yield (
        "app.bsky.actor.profile/self",
        {
            "$type": "app.bsky.actor.profile",
            "displayName": "Dr. Sam Rivera, MD",
            "description": "Emergency physician. Views my own.",
        },
    )
    yield (
        "chat.bsky.actor.declaration/self",
        {
            "$type": "chat.bsky.actor.declaration",
            "allowIncoming": "following",
        },
    )


def write_car(
    path: Path, n: int, seed: int = DEFAULT_SEED, fanout: int = DEFAULT_FANOUT
) -> dict[str, Any]:
    """Write the N-post repository to `path`; returns what it holds."""
    stats = {"posts": 0, "replies": 0, "reposts": 0, "likes": 0, "follows": 0}
    items: list[tuple[bytes, bytes]] = []
    tmp = path.with_name(path.name + ".part")
    with tempfile.TemporaryFile() as body:
        for key, record in _records(n, seed):
            block = libipld.encode_dag_cbor(record)
            items.append((key.encode(), _cid(block)))
            body.write(_section(block))
            collection = key.partition("/")[0]
            if collection == "app.bsky.feed.post":
                stats["posts"] += 1
                stats["replies"] += "reply" in record
            else:
                name = collection.rsplit(".", 1)[-1] + "s"
                if name in stats:
                    stats[name] += 1
        items.sort()
        nodes: list[bytes] = []
        root, depth = _tree(items, fanout, nodes)
        commit = libipld.encode_dag_cbor(
            {
                "did": DID,
                "version": 3,
                "data": root,
                "rev": tid(END_TIME, 0),
                "prev": None,
                "sig": b"\x00" * 64,
            }
        )
        header = libipld.encode_dag_cbor({"roots": [_cid(commit)], "version": 1})
        with open(tmp, "wb") as out:
            out.write(_varint(len(header)) + header + _section(commit))
            for block in nodes:
                out.write(_section(block))
            body.seek(0)
            shutil.copyfileobj(body, out, 1 << 20)
    os.replace(tmp, path)
    stats.update(tree_depth=depth, tree_nodes=len(nodes), car_bytes=path.stat().st_size)
    return stats


def car_name(n: int, seed: int, fanout: int) -> str:
    return f"bluesky-repo-n{n}-seed{seed}-f{fanout}-v{GENERATOR_VERSION}.car"


def ensure_car(
    n: int, directory: Path, seed: int, fanout: int
) -> tuple[Path, dict[str, Any] | None]:
    """Reuse or generate (in a subprocess, to keep this process small) the N-post repository."""
    path = directory / car_name(n, seed, fanout)
    if path.exists():
        return path, None
    cmd = [sys.executable, os.path.abspath(__file__), str(n), "--generate-only", "--json"]
    cmd += ["--keep", str(directory), "--seed", str(seed), "--fanout", str(fanout)]
    result = measure(cmd, capture_stdout=True)
    if result.returncode != 0 or not path.exists():
        sys.exit(f"repository generation failed (exit {result.returncode}):\n{result.stderr}")
    info = json.loads(result.stdout)
    info.update(seconds=round(result.seconds, 2), peak_rss_mb=_mb(result.rss_kib))
    return path, info


def bench_size(args: argparse.Namespace, n: int, directory: Path, log: IO[str]) -> dict[str, Any]:
    car, generated = ensure_car(n, directory, args.seed, args.fanout)
    if generated:
        print(f"generated {car} in {generated['seconds']} s", file=log, flush=True)
    auditor = shlex.split(args.auditor) if args.auditor else default_auditor()
    base_runs: list[RunResult] = []
    aud_runs: list[RunResult] = []
    failures = []
    with tempfile.TemporaryDirectory(prefix="auditor-bench-out-") as out_dir:
        out = Path(out_dir) / "report.json"
        cmd = [*auditor, "scan", str(car), "--format", "json", "-o", str(out), "--quiet"]
        for i in range(args.runs):
            base = measure([sys.executable, "-c", BASELINE_CODE, str(car)], direct=args.direct)
            if base.returncode != 0:
                sys.exit(f"baseline failed (exit {base.returncode}):\n{base.stderr}")
            base_runs.append(base)
            with contextlib.suppress(FileNotFoundError):
                out.unlink()
            aud = measure(cmd, direct=args.direct)
            if aud.returncode in (0, 1):
                aud_runs.append(aud)
            else:
                failures.append({"run": i + 1, "returncode": aud.returncode})
                print(f"auditor run {i + 1} failed:\n{aud.stderr.rstrip()}", file=sys.stderr)
            print(
                f"N={n} run {i + 1}/{args.runs}: baseline {base.seconds:.2f} s "
                f"{_mb(base.rss_kib)} MB; auditor {aud.seconds:.2f} s {_mb(aud.rss_kib)} MB "
                f"(exit {aud.returncode})",
                file=log,
                flush=True,
            )
        posts_scanned = None
        if out.exists():
            posts_scanned = json.loads(out.read_text())["summary"]["posts_scanned"]
    result: dict[str, Any] = {
        "n": n,
        "car": str(car),
        "car_bytes": car.stat().st_size,
        "baseline": _summary(base_runs),
        "auditor": _summary(aud_runs) if aud_runs else None,
        "auditor_failures": failures,
        "posts_scanned": posts_scanned,
    }
    if generated:
        result["generation"] = generated
    if aud_runs:
        median = result["auditor"]["seconds_median"]
        result["posts_per_s"] = round(n / median) if median > 0 else None
        result["ratio_median"] = round(median / result["baseline"]["seconds_median"], 3)
    return result


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = benchmark_parser(
        "Benchmark `auditor scan` on a synthetic N-post Bluesky repo.car.", "repository"
    )
    parser.add_argument(
        "--fanout", type=int, default=DEFAULT_FANOUT, help="entries per tree node (>= 2)"
    )
    args = parser.parse_args(argv)
    if args.n < 1 or args.runs < 1 or args.fanout < 2:
        parser.error("N and --runs must be >= 1, --fanout >= 2")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point; returns the process exit status."""
    args = parse_args(argv)
    if args.generate_only:
        directory = args.keep or Path.cwd()
        directory.mkdir(parents=True, exist_ok=True)
        path = directory / car_name(args.n, args.seed, args.fanout)
        start = time.perf_counter()
        info: dict[str, Any] = {"car": str(path)}
        info.update(write_car(path, args.n, args.seed, args.fanout))
        info["seconds"] = round(time.perf_counter() - start, 2)
        print(json.dumps(info) if args.json else "\n".join(f"{k}: {v}" for k, v in info.items()))
        return 0
    log = sys.stderr if args.json else sys.stdout
    sizes = [args.n, 3 * args.n] if args.memory_scaling else [args.n]
    true_cmd = shutil.which("true")
    floor_mb = _mb(measure([true_cmd], direct=args.direct).rss_kib) if true_cmd else 0.0
    with contextlib.ExitStack() as stack:
        if args.keep:
            directory = args.keep
            directory.mkdir(parents=True, exist_ok=True)
        else:
            directory = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="auditor-")))
        results = [bench_size(args, n, directory, log) for n in sizes]
    figures: dict[str, Any] = {
        "runs": args.runs,
        "fanout": args.fanout,
        "python": sys.version.split()[0],
        "cpus": os.cpu_count(),
        "rss_floor_mb": floor_mb,
        "results": results,
    }
    if args.memory_scaling and all(r["auditor"] for r in results):
        small, large = (r["auditor"]["rss_mb_max"] for r in results)
        figures["rss_scaling_3n"] = round(large / small, 3)
    if args.json:
        print(json.dumps(figures, indent=2))
    else:
        print()
        for r in results:
            a, b = r["auditor"], r["baseline"]
            print(
                f"N={r['n']:,} ({r['car_bytes'] / 1e6:.1f} MB): auditor "
                + (
                    f"{a['seconds_median']:.2f} s, {r['posts_per_s']:,} posts/s, "
                    f"peak RSS {a['rss_mb_max']} MB"
                    if a
                    else "FAILED"
                )
                + f"; baseline decode_car {b['seconds_median']:.2f} s, {b['rss_mb_max']} MB"
            )
        if "rss_scaling_3n" in figures:
            print(f"auditor RSS {3 * args.n:,} / {args.n:,}: {figures['rss_scaling_3n']:.3f}")
        print(f"RSS floor (spawn) {floor_mb} MB")
    return 2 if any(r["auditor_failures"] for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
