"""Throughput and peak-memory benchmark for ``auditor scan`` on a synthetic Facebook export.

Usage::

    python benchmarks/throughput_facebook.py N [--keep DIR] [--auditor CMD] [--runs R]
                                               [--memory-scaling] [--json] [--direct]
                                               [--per-file P] [--generate-only]

The script writes a 2024-layout "Download Your Information" zip (JSON) of N posts, split into
``your_facebook_activity/posts/your_posts__check_ins__photos_and_videos_<k>.json`` part files
of P posts each (default 10,000), N/2 comments in ``comments_and_reactions/comments.json``, a
profile, security, connected-apps and friends files. Text is Meta's mojibake (every UTF-8 byte
as its own ``\\u00XX`` escape), pretty-printed with a 2-space indent. It then times, as separate
processes, a baseline (unzip + stdlib ``json.loads`` of every posts part and of comments.json)
and ``auditor scan EXPORT.zip --platform facebook --format json -o OUT --quiet``.

The run loop, the launcher that measures a child's peak RSS and the table are
``throughput.py``'s (see its docstring for why a launcher is needed), so the figures compare
with the X archive benchmark's.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import functools
import json
import os
import random
import shlex
import shutil
import sys
import tempfile
import time
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import IO, Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from throughput import (  # noqa: E402 - the sibling script, not an installed module
    TARGET_SCALING,
    TextGen,
    _mb,
    _zinfo,
    bench_size,
    benchmark_parser,
    collect_figures,
    default_auditor,
    measure,
    print_table,
)

GENERATOR_VERSION = 1
DEFAULT_SEED = 20240601  # the seed benchmark_parser defaults to
DEFAULT_PER_FILE = 10_000

ROOT = "your_facebook_activity/"
PART = ROOT + "posts/your_posts__check_ins__photos_and_videos_{}.json"
COMMENTS = ROOT + "comments_and_reactions/comments.json"
SECURITY = "security_and_login_information/"

FULL_NAME = "Sam Rivera Peña"  # a non-ASCII name: every title is mojibake, as in real exports
END_TIME = dt.datetime(2024, 12, 31, 21, 0, 0, tzinfo=dt.UTC)
START_TIME = END_TIME - dt.timedelta(days=round(15 * 365.25))

BASELINE_CODE = (
    "import json, re, sys, zipfile\n"
    "zf = zipfile.ZipFile(sys.argv[1])\n"
    "posts = re.compile(r'(^|/)your_posts(__check_ins__photos_and_videos)?_\\d+\\.json$')\n"
    "names = [n for n in zf.namelist() if posts.search(n)]\n"
    "assert names\n"
    "names += [n for n in zf.namelist() if n.endswith('comments_and_reactions/comments.json')]\n"
    "for name in names:\n"
    "    data = json.loads(zf.read(name))\n"
    "    assert isinstance(data, (list, dict))\n"
    "    del data\n"
)

FRIENDS = [
    "Jordan Lee",
    "Priya Natarajan",
    "Marcus Okafor",
    "Hannah Berg",
    "Ana Souza",
    "Chen Wei",
    "Tom Álvarez",
    "Zoë Müller",
    "José García",
    "Léa Dubois",
    "Björn Lindqvist",
    "Siobhán O'Neill",
]
PLACES = [
    ("Cedar Falls Farmers Market", 39.7392, -104.9903, "1200 Market St, Denver, CO"),
    ("Red Rocks Park & Amphitheatre", 39.6654, -105.2057, "18300 W Alameda Pkwy, Morrison, CO"),
    ("Denver Health Medical Center", 39.7273, -104.9914, "777 Bannock St, Denver, CO"),
    ("Café Brazil", 39.7596, -105.0108, "4408 Lowell Blvd, Denver, CO"),
    ("Chautauqua Park", 39.9990, -105.2815, "900 Baseline Rd, Boulder, CO"),
    ("Lisbon Portela Airport", 38.7742, -9.1342, "Alameda das Comunidades Portuguesas, Lisboa"),
]
LINKS = [
    "https://www.cdc.gov/flu/prevent/index.html",
    "https://www.who.int/news-room/fact-sheets",
    "https://www.nejm.org/doi/full/10.1056/NEJMoa2034577",
    "https://example-hospital.org/news/grand-rounds",
    "https://www.youtube.com/watch?v=dQw4w9WgXcQ",
]
ALBUMS = ["MobileUploads_10158213", "TimelinePhotos_10150087", "Garden_2021", "ACEP23_Boston"]
GROUPS = ["ED Docs Network", "Denver Runners", "Parents of Cedar Falls Elementary"]
IPS = ["198.51.100.23", "198.51.100.24", "192.0.2.146", "203.0.113.9"]
AGENTS = [
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 FBAN/FBIOS",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/126.0 Safari/537.36",
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 Chrome/126.0 Mobile",
]
README_TXT = (
    "Synthetic Facebook export written by benchmarks/throughput_facebook.py; the account and "
    "every post in it are made up.\n"
)


def moji(text: str) -> str:
    """How Meta writes text: every UTF-8 byte as its own character (escaped as ``\\u00XX``)."""
    return text.encode("utf-8").decode("latin-1")


def meta_json(value: Any, level: int = 0) -> str:
    """JSON as Meta writes it: 2-space indent, ASCII with ``\\u00XX`` escapes; ``level``
    indents every line (an element of a top-level array is at level 1)."""
    text = json.dumps(value, indent=2)
    if level:
        pad = "  " * level
        text = pad + text.replace("\n", "\n" + pad)
    return text


@dataclass
class ExportStats:
    """Counts of what an export contains, for reporting."""

    posts: int = 0
    comments: int = 0
    part_files: int = 0
    photo_posts: int = 0
    photo_only_posts: int = 0
    photos: int = 0
    check_ins: int = 0
    links: int = 0
    timeline_posts: int = 0
    long_posts: int = 0
    posts_json_bytes: int = 0
    comments_json_bytes: int = 0
    avg_post_bytes: float = 0.0
    zip_bytes: int = 0
    categories: dict[str, int] = field(default_factory=dict)


class PostFactory:
    """Builds Facebook post and comment records one at a time, newest first."""

    def __init__(self, n: int, seed: int) -> None:
        self.n = n
        self.rng = random.Random(seed)
        self.text = TextGen(self.rng)
        self.stats = ExportStats()
        self._mean_step = (END_TIME - START_TIME).total_seconds() / max(n, 1)
        self._next = int(END_TIME.timestamp())

    def _advance(self, mean: float) -> int:
        when = self._next
        step = min(self.rng.expovariate(1.0 / mean), 20 * mean)
        self._next = max(int(when - max(step, 1.0)), int(START_TIME.timestamp()))
        return when

    def _text(self, category: str) -> str:
        rng = self.rng
        if category not in ("reaction", "risky") and rng.random() < 0.06:
            self.stats.long_posts += 1
            return self.text.long_text()
        return self.text.post(category, rng.choice((280, 280, 500, 800)))

    def posts(self) -> Iterator[dict[str, Any]]:
        for _ in range(self.n):
            yield self.post()

    def post(self) -> dict[str, Any]:
        rng = self.rng
        stats = self.stats
        when = self._advance(self._mean_step)
        stats.posts += 1
        category = self.text.category()
        stats.categories[category] = stats.categories.get(category, 0) + 1
        record: dict[str, Any] = {"timestamp": when}
        roll = rng.random()
        attachments: list[dict[str, Any]] = []
        text: str | None = self._text(category)
        if roll < 0.20:  # photos
            stats.photo_posts += 1
            count = rng.choice((1, 1, 1, 2, 3, 4))
            caption = None
            if rng.random() < 0.35:  # photo-only: the caption is the media description
                stats.photo_only_posts += 1
                caption, text = text, None
            media = [self._media(when, caption if i == 0 else None) for i in range(count)]
            stats.photos += count
            attachments.append({"data": [{"media": m} for m in media]})
            title = (
                f"{FULL_NAME} added a new photo."
                if count == 1
                else f"{FULL_NAME} added {count} new photos."
            )
        elif roll < 0.30:  # shared link
            stats.links += 1
            attachments.append({"data": [{"external_context": {"url": rng.choice(LINKS)}}]})
            title = f"{FULL_NAME} shared a link."
        elif roll < 0.35:  # check-in
            stats.check_ins += 1
            name, lat, lon, address = rng.choice(PLACES)
            place = {
                "name": moji(name),
                "coordinate": {"latitude": lat, "longitude": lon},
                "address": moji(address),
                "url": "https://www.facebook.com/pages/" + name.replace(" ", "-"),
            }
            attachments.append({"data": [{"place": place}]})
            title = f"{FULL_NAME} was at {name}."
        elif roll < 0.40:  # on a friend's timeline
            stats.timeline_posts += 1
            title = f"{FULL_NAME} wrote on {rng.choice(FRIENDS)}'s timeline."
        else:
            title = f"{FULL_NAME} updated his status."
        if attachments:
            record["attachments"] = attachments
        data: list[dict[str, Any]] = []
        if text is not None:
            data.append({"post": moji(text)})
        if rng.random() < 0.3:
            data.append({"update_timestamp": when + rng.randint(60, 30 * 86400)})
        if rng.random() < 0.5:
            data.append({})
        record["data"] = data
        if rng.random() < 0.9:
            record["title"] = moji(title)
        if rng.random() < 0.08:
            record["tags"] = [moji(f) for f in rng.sample(FRIENDS, rng.randint(1, 3))]
        return record

    def _media(self, when: int, caption: str | None) -> dict[str, Any]:
        rng = self.rng
        album = rng.choice(ALBUMS)
        media: dict[str, Any] = {
            "uri": f"posts/media/{album}/{rng.getrandbits(52)}_{rng.getrandbits(24)}_n.jpg",
            "creation_timestamp": when,
            "media_metadata": {
                "photo_metadata": {
                    "exif_data": [
                        {
                            "upload_ip": rng.choice(IPS),
                            "taken_timestamp": when - rng.randint(0, 3 * 86400),
                        }
                    ]
                }
            },
            "title": "Mobile uploads",
        }
        if caption is not None:
            media["description"] = moji(caption)
        return media

    def comments(self, count: int) -> Iterator[dict[str, Any]]:
        rng = self.rng
        mean = (END_TIME - START_TIME).total_seconds() / max(count, 1)
        self._next = int(END_TIME.timestamp())
        for _ in range(count):
            when = self._advance(mean)
            self.stats.comments += 1
            friend = rng.choice(FRIENDS)
            record: dict[str, Any] = {"timestamp": when}
            if rng.random() < 0.05:  # the text was not exported: title only
                record["title"] = moji(f"{FULL_NAME} commented on a post.")
                yield record
                continue
            category = "reaction" if rng.random() < 0.6 else self.text.category()
            comment: dict[str, Any] = {
                "timestamp": when,
                "comment": moji(self.text.post(category, 280)),
                "author": moji(FULL_NAME),
            }
            if rng.random() < 0.1:
                comment["group"] = rng.choice(GROUPS)
            record["data"] = [{"comment": comment}]
            record["title"] = moji(f"{FULL_NAME} commented on {friend}'s post.")
            yield record


def _write_array(fh: IO[bytes], items: Iterator[dict[str, Any]], level: int) -> int:
    """Write a pretty-printed JSON array (its elements at ``level``) incrementally."""
    written = 0
    first = True
    pad = "  " * (level - 1)
    for item in items:
        chunk = ("[\n" if first else ",\n") + meta_json(item, level)
        data = chunk.encode("ascii")
        fh.write(data)
        written += len(data)
        first = False
    tail = ("\n" + pad + "]" if not first else "[]").encode()
    fh.write(tail)
    return written + len(tail)


def _small_files(rng: random.Random) -> dict[str, Any]:
    """The profile, security, apps and friends files: without a profile or with unreadable
    settings files the scan would report a partial import."""
    end = int(END_TIME.timestamp())
    logins = sorted((end - rng.randint(0, 90 * 86400) for _ in range(200)), reverse=True)
    return {
        "personal_information/profile_information/profile_information.json": {
            "profile_v2": {
                "name": {
                    "full_name": moji(FULL_NAME),
                    "first_name": "Sam",
                    "middle_name": "",
                    "last_name": moji("Rivera Peña"),
                },
                "emails": {
                    "emails": ["sam.rivera@example.com"],
                    "previous_emails": ["srivera.md@example.org"],
                    "pending_emails": [],
                    "ad_account_emails": [],
                },
                "birthday": {"year": 1981, "month": 4, "day": 17},
                "gender": {"gender_option": "MALE", "pronoun": "HE"},
                "current_city": {"name": "Denver, Colorado", "timestamp": 1420070400},
                "hometown": {"name": moji("San José, California"), "timestamp": 1262304000},
                "relationship": {"status": "Married", "timestamp": 1336000000},
                "education_experiences": [
                    {"name": "University of Colorado School of Medicine", "graduated": True}
                ],
                "work_experiences": [
                    {"employer": "Denver Health", "title": "Emergency Physician"},
                ],
                "phone_numbers": [
                    {
                        "phone_type": "Mobile",
                        "phone_number": "+15555550142",
                        "verified": True,
                        "creation_time": 1400000000,
                    }
                ],
                "registration_timestamp": int(START_TIME.timestamp()) - 86400 * 400,
            }
        },
        "personal_information/profile_information/timezone.json": {
            "timestamp": end,
            "media": [],
            "label_values": [{"label": "Time zone", "value": "America/Denver"}],
        },
        SECURITY + "two-factor_authentication.json": {
            "label_values": [
                {"label": "State", "ent_field_name": "State", "value": "Enabled"},
                {
                    "label": "Enabled time",
                    "ent_field_name": "EnabledTime",
                    "timestamp_value": 1600000000,
                },
            ]
        },
        SECURITY + "where_you're_logged_in.json": {
            "active_sessions_v2": [
                {
                    "created_timestamp": end - rng.randint(0, 400 * 86400),
                    "updated_timestamp": end - rng.randint(0, 30 * 86400),
                    "ip_address": rng.choice(IPS),
                    "user_agent": rng.choice(AGENTS),
                    "datr_cookie": "aBcDeF**********",
                    "device": device,
                    "location": "Denver, United States",
                    "app": app,
                    "session_type": kind,
                }
                for device, app, kind in (
                    ("iPhone", "Facebook for iPhone", "mobile"),
                    ("Windows", "Chrome", "web"),
                    ("Pixel 8", "Facebook for Android", "mobile"),
                    ("Mac", "Safari", "web"),
                )
            ]
        },
        SECURITY + "account_activity.json": {
            "account_activity_v2": [
                {
                    "action": rng.choice(("Login", "Session updated", "Web Session Terminated")),
                    "timestamp": ts,
                    "ip_address": rng.choice(IPS),
                    "user_agent": rng.choice(AGENTS),
                    "datr_cookie": "aBcDeF**********",
                    "city": "Denver",
                    "region": "Colorado",
                    "country": "US",
                    "site_name": "www.facebook.com",
                }
                for ts in logins
            ]
        },
        SECURITY + "logins_and_logouts.json": {
            "account_accesses_v2": [
                {
                    "action": rng.choice(("Log in", "Log out")),
                    "timestamp": ts,
                    "site": "www.facebook.com",
                    "ip_address": rng.choice(IPS),
                }
                for ts in logins[:100]
            ]
        },
        SECURITY + "ip_address_activity.json": {
            "used_ip_address_v2": [
                {"ip": ip, "action": "Login", "timestamp": logins[i], "user_agent": AGENTS[0]}
                for i, ip in enumerate(IPS)
            ]
        },
        "apps_and_websites_off_of_facebook/connected_apps_and_websites.json": {
            "installed_apps_v2": [
                {
                    "name": name,
                    "added_timestamp": 1500000000 + i * 9_000_000,
                    "user_app_scoped_id": 10_000_000 + i,
                    "category": category,
                    **({"removed_timestamp": 1650000000} if category == "removed" else {}),
                }
                for i, (name, category) in enumerate(
                    (
                        ("Spotify", "active"),
                        ("PostScheduler", "active"),
                        ("Strava", "inactive"),
                        ("Candy Crush Saga", "removed"),
                    )
                )
            ]
        },
        "connections/friends/your_friends.json": {
            "friends_v2": [
                {"name": moji(f"{rng.choice(FRIENDS)} {i}"), "timestamp": 1300000000 + i * 86400}
                for i in range(340)
            ]
        },
    }


def write_export(
    path: Path, n: int, seed: int = DEFAULT_SEED, per_file: int = DEFAULT_PER_FILE
) -> ExportStats:
    """Write an N-post synthetic Facebook export zip at ``path`` (atomically).

    Records are generated one at a time and streamed into the deflated zip members, so memory
    stays flat in N.
    """
    factory = PostFactory(n, seed)
    stats = factory.stats
    tmp = path.with_name(path.name + ".part")
    records = factory.posts()
    with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6) as zf:
        part = 0
        while part * per_file < n:
            part += 1
            count = min(per_file, n - (part - 1) * per_file)
            with zf.open(_zinfo(PART.format(part)), "w") as fh:
                stats.posts_json_bytes += _write_array(fh, (next(records) for _ in range(count)), 1)
        stats.part_files = part
        with zf.open(_zinfo(COMMENTS), "w") as fh:
            head = b'{\n  "comments_v2": '
            fh.write(head)
            size = _write_array(fh, factory.comments(n // 2), 2)
            fh.write(b"\n}")
            stats.comments_json_bytes = len(head) + size + 2
        for name, value in _small_files(factory.rng).items():
            zf.writestr(_zinfo(name), meta_json(value))
        zf.writestr(_zinfo(ROOT + "events/no-data.txt"), "You have no data in this section.\n")
        zf.writestr(_zinfo("README.txt"), README_TXT)
    os.replace(tmp, path)
    stats.avg_post_bytes = round(stats.posts_json_bytes / max(n, 1), 1)
    stats.zip_bytes = path.stat().st_size
    return stats


def export_name(n: int, seed: int, per_file: int) -> str:
    return f"facebook-export-n{n}-seed{seed}-p{per_file}-v{GENERATOR_VERSION}.zip"


def ensure_export(
    n: int, directory: Path, seed: int, per_file: int = DEFAULT_PER_FILE
) -> tuple[Path, dict[str, Any] | None]:
    """Reuse or generate (in a subprocess, to keep this process small) the N-post export."""
    path = directory / export_name(n, seed, per_file)
    if path.exists() and zipfile.is_zipfile(path):
        return path, None
    cmd = [sys.executable, os.path.abspath(__file__), str(n), "--generate-only", "--json"]
    cmd += ["--keep", str(directory), "--seed", str(seed), "--per-file", str(per_file)]
    result = measure(cmd, capture_stdout=True)
    if result.returncode != 0 or not path.exists():
        sys.exit(f"export generation failed (exit {result.returncode}):\n{result.stderr}")
    info = json.loads(result.stdout)
    info.update(seconds=round(result.seconds, 2), peak_rss_mb=_mb(result.rss_kib))
    return path, info


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = benchmark_parser(
        "Benchmark `auditor scan --platform facebook` against a json.loads baseline on a "
        "synthetic N-post Facebook export.",
        "export",
    )
    parser.add_argument(
        "--per-file",
        type=int,
        default=DEFAULT_PER_FILE,
        metavar="P",
        help=f"posts per your_posts part file (default {DEFAULT_PER_FILE:,})",
    )
    args = parser.parse_args(argv)
    if args.n < 1 or args.runs < 1 or args.per_file < 1:
        parser.error("N, --runs and --per-file must be >= 1")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point; returns the process exit status."""
    args = parse_args(argv)
    if args.generate_only:
        directory = args.keep or Path.cwd()
        directory.mkdir(parents=True, exist_ok=True)
        path = directory / export_name(args.n, args.seed, args.per_file)
        start = time.perf_counter()
        stats = write_export(path, args.n, args.seed, args.per_file)
        info = {"export": str(path), "seconds": round(time.perf_counter() - start, 2)}
        info.update(asdict(stats))
        print(json.dumps(info) if args.json else "\n".join(f"{k}: {v}" for k, v in info.items()))
        return 0

    auditor = shlex.split(args.auditor) if args.auditor else default_auditor()
    log = sys.stderr if args.json else sys.stdout
    sizes = [args.n, 3 * args.n] if args.memory_scaling else [args.n]
    if not (shutil.which(auditor[0]) or os.access(auditor[0], os.X_OK)):
        sys.exit(f"auditor command not found: {auditor[0]} (install the package or pass --auditor)")
    true_cmd = shutil.which("true")
    floor_mb = _mb(measure([true_cmd], direct=args.direct).rss_kib) if true_cmd else 0.0
    ensure = functools.partial(ensure_export, per_file=args.per_file)
    with contextlib.ExitStack() as stack:
        if args.keep:
            directory = args.keep
            directory.mkdir(parents=True, exist_ok=True)
        else:
            directory = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="auditor-")))
        results = []
        for n in sizes:
            result = bench_size(
                n,
                directory,
                auditor,
                args.runs,
                args.seed,
                log,
                args.direct,
                ensure=ensure,
                baseline_code=BASELINE_CODE,
                scan_args=("--platform", "facebook"),
            )
            result["comments"] = n // 2
            result["part_files"] = -(-n // args.per_file)
            if result["auditor"]:
                median = result["auditor"]["seconds_median"]
                result["records_per_s"] = round((n + n // 2) / median) if median > 0 else None
            results.append(result)

    figures = collect_figures(args, auditor, floor_mb, results, per_file=args.per_file)

    if args.json:
        print(json.dumps(figures, indent=2))
    else:
        print()
        print_table(results, floor_mb, sys.stdout)
        print(
            f"posts/s counts posts only; each export also holds N/2 comments "
            f"({args.per_file:,} posts per part file)"
        )
        if "rss_scaling_3n" in figures:
            print(
                f"auditor RSS {3 * args.n:,} / {args.n:,}: {figures['rss_scaling_3n']:.3f} "
                f"(target <= {TARGET_SCALING}); baseline: {figures['baseline_rss_scaling_3n']:.3f}"
            )
    return 2 if any(r["auditor_failures"] for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
