"""Time the media stage: `auditor scan` of an X archive with N photos (default 1,000), first
with an empty media cache, then again (every photo from the cache), as a separate process.

    python benchmarks/media.py [N] [--keep DIR]

The photos are made here, like a phone's: 1600 x 1200 to 2048 x 1536 JPEGs of blurred noise
(texture everywhere), a third with a whiteboard or a label of text on them, one in ten with
GPS tags, one in twenty a face. They are built once per N and kept in DIR (default: the
system's temporary folder) for the next run.

Targets: the first audit under 5 minutes on a 2-core machine, the second under 10 s. Prints
both times, photos/s and the peak RSS of the audit's processes (its workers included)."""

from __future__ import annotations

import argparse
import concurrent.futures as cf
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

import photos  # noqa: E402  (the tests' photo makers)

import xbuild  # noqa: E402

SIZES = ((1600, 1200), (2048, 1536), (1200, 1600))
WORDS = (
    "Bed {n}: J. Smith\nMRN 00{n:06d}",
    "Ward 4B handover\nRoom {n} - K. Lee",
    "Parcel for\n{n} Linden Street",
    "Clinic closes at 5pm\nCall 555-01{m:02d}",
)


def make(n: int) -> tuple[str, bytes]:
    size = SIZES[n % len(SIZES)]
    if n % 20 == 7:
        image = photos.face(size=size)
    elif n % 3 == 0:
        text = WORDS[n % len(WORDS)].format(n=n, m=n % 100)
        image = photos.with_text(text, size=size, font_px=30 + n % 30, angle=(n % 21) - 10, seed=n)
    else:
        image = photos.background(size, seed=n)
    gps = (40.7 + (n % 50) / 1000, -74.0 + (n % 37) / 1000) if n % 10 == 0 else None
    return f"{n}.jpg", photos.jpeg(image, gps=gps, quality=85)


def build(path: Path, count: int) -> Path:
    tweets, members = [], {}
    with cf.ProcessPoolExecutor() as pool:
        for n, (name, data) in enumerate(pool.map(make, range(count), chunksize=16)):
            tid = str(10_000 + n)
            tweets.append(xbuild.tweet(tid, f"Photo {n} from today", media=[name]))
            members[f"data/tweets_media/{tid}-{name}"] = data
    files = {
        "data/account.js": xbuild.js("YTD.account.part0", [xbuild.account("drbench")]),
        "data/tweets.js": xbuild.js("YTD.tweets.part0", tweets),
        **members,
    }
    return xbuild.write_archive(path, files)


def audit(archive: Path, home: Path) -> tuple[float, dict]:
    env = dict(os.environ)
    env.update(
        {
            "HOME": str(home),
            "XDG_DATA_HOME": str(home / "data"),
            "XDG_CONFIG_HOME": str(home / "config"),
            "PYTHON_KEYRING_BACKEND": "keyring.backends.null.Keyring",
        }
    )
    start = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "auditor", "scan", str(archive), "-f", "json", "-q"],
        capture_output=True,
        text=True,
        env=env,
        cwd=tempfile.gettempdir(),
    )
    took = time.perf_counter() - start
    if proc.returncode not in (0, 1, 3):
        sys.exit(f"auditor failed ({proc.returncode}): {proc.stderr[-2000:]}")
    doc = json.loads(proc.stdout)
    return took, doc["coverage"]["sources"][0]["photos"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("count", nargs="?", type=int, default=1000)
    parser.add_argument("--keep", type=Path, default=Path(tempfile.gettempdir()))
    args = parser.parse_args()
    archive = args.keep / f"auditor-media-bench-{args.count}.zip"
    if not archive.exists():
        start = time.perf_counter()
        build(archive.with_suffix(".part.zip"), args.count).rename(archive)
        print(
            f"built {archive} ({archive.stat().st_size / 2**20:.0f} MiB) in "
            f"{time.perf_counter() - start:.0f} s"
        )
    with tempfile.TemporaryDirectory() as home:
        cold, cov = audit(archive, Path(home))
        print(
            f"first audit: {cold:.1f} s for {cov['found']:,} photos "
            f"({cov['found'] / cold:.2f} photos/s; analysed {cov['analysed']:,}, "
            f"skipped {len(cov['skipped'])}, engines missing: {cov['missing_engines'] or 'none'})"
        )
        warm, cov = audit(archive, Path(home))
        print(f"second audit: {warm:.1f} s ({cov['cached']:,} of {cov['found']:,} from the cache)")
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"peak RSS of one audit process: {peak:.0f} MiB; cores: {os.cpu_count()}")


if __name__ == "__main__":
    main()
