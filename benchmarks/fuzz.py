"""Coverage-guided fuzzing of every export importer: no traceback, hang, blow-up or file written.

```
python benchmarks/fuzz.py [--target NAME ...] [--seconds N] [--per-target] [--seed S]
                          [--engine auto|atheris|hypothesis] [--findings DIR] [--json]
```

One target per registered source (`discover().sources`). A fuzz input is three header bytes
and a payload: the header picks a seed export, which of its members the payload replaces (or,
past the last member, that the payload is the whole container), and the container the export
is written as (folder, zip, tar.gz, or a single file). The input is written to a private temp
dir, opened with the platform forced, and its posts and messages are read to the end. A
finding is an exception other than InputError escaping, an error that is not one line, a run
longer than `--time-limit`, peak RSS growing by more than `--memory-mb`, or any file appearing
or changing in the input dir, the working dir or TMPDIR.

Each target runs in its own process, under atheris (libFuzzer) when it imports, else under
hypothesis mutating the same seeds. A finding does not stop the run: each distinct one (by
exception and the innermost auditor frame) is saved once, as the input and its traceback, in
`--findings` (default ./fuzz-findings). Reproduce one with `--replay FILE --target NAME`.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import io
import json
import os
import re
import resource
import shutil
import signal
import subprocess
import sys
import tarfile
import tempfile
import time
import traceback
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data"
HEADER = 3
# Bytes the mutator splices in: the tokens that steer JSON, JS, CSV and CBOR parsers.
TOKENS = (
    b'"',
    b"\\",
    b"{",
    b"}",
    b"[",
    b"]",
    b",",
    b":",
    b"\n",
    b"\r\n",
    b"\x00",
    b"null",
    b"true",
    b"-1",
    b"1e999",
    b"18446744073709551616",
    b"NaN",
    b'\\ud800"',
    b"\xff\xfe",
    b"\xef\xbb\xbf",
    b"window.YTD.x.part0 = ",
    b'""',
    b"\xbf",
    b"\x9f",
)


# --- seed exports -----------------------------------------------------------------------------


@dataclass
class Seed:
    """An export as member name -> bytes, and the containers it is written as."""

    members: dict[str, bytes]
    kinds: tuple[str, ...] = ("folder", "zip", "tar")


@dataclass
class Target:
    platform: str
    seeds: list[Seed] = field(default_factory=list)


def _j(value: object) -> bytes:
    return json.dumps(value, indent=2).encode()


def _files(base: Path, names: list[str], under: str = "") -> dict[str, bytes]:
    return {under + n: (base / n).read_bytes() for n in names if (base / n).is_file()}


def _tests_module(name: str) -> object | None:
    """A builder from the test suite, when it is there and imports; the seeds do without it."""
    tests = str(ROOT / "tests")
    if tests not in sys.path:
        sys.path.append(tests)
    try:
        return __import__(name)
    except Exception:
        return None


def _moji(text: str) -> str:
    return text.encode("utf-8").decode("latin-1")  # how Meta writes text


def _x_seeds() -> list[Seed]:
    xb = _tests_module("xbuild")
    seeds = []
    if xb is not None:
        dm = {
            "messageCreate": {
                "id": "m1",
                "senderId": "42",
                "recipientId": "77",
                "text": "Your results look fine &amp; see you",
                "createdAt": "2023-03-02T10:00:00.000Z",
                "mediaUrls": ["https://ton.twitter.com/dm/m1/1/abc.jpg"],
            }
        }
        members = {
            "data/account.js": xb.js("YTD.account.part0", [xb.account()]),
            "data/tweets.js": xb.js(
                "YTD.tweets.part0",
                [
                    xb.tweet("1", "Saw a 67-year-old in bed 4 today"),
                    xb.tweet("2", "@sam agreed", reply_to="sam"),
                    xb.tweet("3", "x-ray", media=["a.jpg"]),
                    xb.tweet("4", "RT @sam: retweeted"),
                ],
            ),
            "data/direct-messages.js": xb.js(
                "YTD.direct_messages.part0",
                [{"dmConversation": {"conversationId": "42-77", "messages": [dm]}}],
            ),
            "data/phone-number.js": xb.js(
                "YTD.phone_number.part0", [{"device": {"phoneNumber": "+15550100"}}]
            ),
            "data/ip-audit.js": xb.js(
                "YTD.ip_audit.part0",
                [{"ipAudit": {"accountId": "42", "createdAt": "2023-01-01T00:00:00.000Z"}}],
            ),
            "data/connected-application.js": xb.js("YTD.connected_application.part0", []),
        }
        seeds.append(Seed({k: v.encode() for k, v in members.items()}))
    real = DATA / "x"
    seeds.append(
        Seed(
            _files(real, ["manifest.js", "account.js", "ageinfo.js"], "data/")
            | {"data/tweets.js": _tweets_head(real / "tweets.js", 4)}
        )
    )
    classic = real / "grailbird_2016"
    names = [p.relative_to(classic).as_posix() for p in classic.rglob("*.js")]
    seeds.append(Seed(_files(classic, names)))
    return seeds


def _tweets_head(path: Path, n: int) -> bytes:
    """The first n records of a real tweets.js, its prefix and layout kept."""
    text = path.read_text(encoding="utf-8")
    prefix, _, body = text.partition("= ")
    records = json.loads(body)[:n]
    return (prefix + "= " + json.dumps(records, indent=2).replace('": ', '" : ')).encode()


def _post_file_seeds() -> list[Seed]:
    rows = [
        {"id": "d-1", "platform": "linkedin", "created_at": "2021-06-18T09:00:00Z", "text": "Hi"},
        {"id": 2, "text": "Minimal", "has_media": True, "reply_to": "@sam"},
    ]
    jsonl = b"\n".join(json.dumps(r).encode() for r in rows) + b"\n"
    return [
        Seed({"posts.csv": (ROOT / "examples" / "posts.csv").read_bytes()}, ("file",)),
        Seed({"posts.jsonl": jsonl}, ("file",)),
        Seed({"posts.json": json.dumps(rows).encode()}, ("file",)),
    ]


def _mastodon_seeds() -> list[Seed]:
    seeds = []
    for gen in ("export-2023-zip", "export-2022-targz"):
        base = DATA / "mastodon" / gen
        members = _files(base, ["actor.json", "likes.json", "bookmarks.json"])
        outbox = json.loads((base / "outbox.json").read_bytes())
        items = outbox["orderedItems"]
        # the kinds of activity there are, not all 224 of them: a small seed mutates faster
        kept, seen = [], set()
        for item in items:
            obj = item.get("object")
            kind = (item.get("type"), isinstance(obj, dict) and obj.get("type"), bool(obj))
            if kind not in seen or len(kept) < 4:
                seen.add(kind)
                kept.append(item)
        outbox["orderedItems"] = kept[:8]
        members["outbox.json"] = _j(outbox)
        seeds.append(Seed(members))
    return seeds


def _linkedin_seeds() -> list[Seed]:
    base = DATA / "linkedin"
    members = {}
    for f in sorted(base.glob("*.csv")):
        data = f.read_bytes()
        if len(data) > 4000:
            data = _csv_head(data, 6)
        members[f.name] = data
    members["messages.csv"] = (
        b"CONVERSATION ID,CONVERSATION TITLE,FROM,SENDER PROFILE URL,TO,DATE,SUBJECT,CONTENT,"
        b"FOLDER\n2-abc,,Jo,https://www.linkedin.com/in/jo,Davide Mock,2023-05-10 14:02:33 UTC,"
        b'Role,"Hi Davide,\nare you open?",INBOX\n'
    )
    return [Seed(members)]


def _csv_head(data: bytes, rows: int) -> bytes:
    """The header and first rows of a CSV, quoted newlines kept inside their rows."""
    out, quoted, count = bytearray(), False, 0
    for ch in data:
        out.append(ch)
        if ch == 0x22:
            quoted = not quoted
        elif ch == 0x0A and not quoted:
            count += 1
            if count > rows:
                break
    return bytes(out)


def _instagram_seeds() -> list[Seed]:
    real = DATA / "instagram"
    inbox = {
        "participants": [{"name": "friend"}, {"name": "FirstName SecondName"}],
        "messages": [
            {
                "sender_name": "FirstName SecondName",
                "timestamp_ms": 1650000000000,
                "content": "caf\u00c3\u00a9 later?",
            },
            {"sender_name": "friend", "timestamp_ms": 1649999998000, "share": {}},
        ],
    }
    old = {
        "content/posts_1.json": (real / "content" / "posts_1.json").read_bytes(),
        "content/archived_posts.json": (real / "content" / "archived_posts.json").read_bytes(),
        "comments/post_comments.json": (real / "comments" / "post_comments.json").read_bytes(),
        "account_information/personal_information.json": (
            real / "personal_information.json"
        ).read_bytes(),
        "messages/inbox/friend_42/message_1.json": _j(inbox),
    }
    media = real / "your_instagram_activity" / "media"
    new = {
        "your_instagram_activity/media/posts_1.json": (media / "posts_1.json").read_bytes(),
        "your_instagram_activity/media/posts_2.json": (
            real / "test_image" / "posts.json"
        ).read_bytes(),
    }
    security = {
        "security_and_login_information/login_and_profile_creation/login_activity.json": _j(
            {
                "account_history_login_history": [
                    {
                        "title": "2024-01-02T03:04:05+00:00",
                        "string_map_data": {
                            "Indirizzo IP": {"value": "198.51.100.1"},
                            "Ora": {"timestamp": 1704164645},
                        },
                    }
                ]
            }
        ),
        "personal_information/device_information/two-factor_authentication.json": _j(
            {"ig_two_factor": [{"string_map_data": {"Metodo": {"value": "Text message"}}}]}
        ),
        "your_instagram_activity/media/stories.json": _j(
            {"ig_stories": [{"uri": "s/1.jpg", "creation_timestamp": 1700000000, "title": "x"}]}
        ),
    }
    first = {  # the 2018-2020 layout
        "profile.json": _j({"username": "drkim", "private_account": False, "email": "a@b.c"}),
        "media.json": _j(
            {"photos": [{"caption": "after shift", "taken_at": "2018-05-20T14:33:12"}]}
        ),
        "comments.json": _j({"media_comments": [["2018-05-22T09:00:00", "Congrats!", "f"]]}),
        "account_history.json": _j({"login_history": [{"ip_address": "192.0.2.7"}]}),
        "messages.json": _j(
            [{"participants": ["drkim", "f"], "conversation": [{"sender": "f", "text": "hi"}]}]
        ),
    }
    return [Seed(old), Seed({**new, **security}), Seed(first)]


def _facebook_seeds() -> list[Seed]:
    posts = [
        {
            "timestamp": 1700000000,
            "data": [{"post": _moji("Saw a 67-year-old in the ED tonight, caf\u00e9")}],
            "title": _moji("Dr. Ana Kim updated her status."),
        },
        {
            "timestamp": 1600000000,
            "attachments": [
                {"data": [{"media": {"uri": "posts/media/1.jpg", "description": "x"}}]}
            ],
            "data": [{"update_timestamp": 1600000001}, {}],
        },
    ]
    comments = {
        "comments_v2": [
            {
                "timestamp": 1650000000,
                "title": "Ana commented on Bob's post.",
                "data": [{"comment": {"timestamp": 1650000000, "comment": "Congrats!"}}],
            }
        ]
    }
    profile = {
        "profile_v2": {
            "name": {"full_name": _moji("Ana Kim\u00e9")},
            "emails": {"emails": ["ana@example.com"]},
            "phone_numbers": [{"phone_type": "Mobile", "phone_number": "+15550100"}],
        }
    }
    thread = {
        "participants": [{"name": "Ana Kim"}, {"name": "Bob Lee"}],
        "messages": [
            {"sender_name": "Ana Kim", "timestamp_ms": 1690000060000, "content": "clear"},
            {"sender_name": "Bob Lee", "timestamp_ms": 1689999999000, "is_unsent": True},
        ],
        "title": "Bob Lee",
        "thread_path": "inbox/boblee_123",
    }
    act = "your_facebook_activity/"
    members = {
        act + "posts/your_posts__check_ins__photos_and_videos_1.json": _j(posts),
        act + "comments_and_reactions/comments.json": _j(comments),
        act + "messages/inbox/boblee_123/message_1.json": _j(thread),
        "personal_information/profile_information/profile_information.json": _j(profile),
        "security_and_login_information/where_you're_logged_in.json": _j(
            {"active_sessions_v2": [{"created_timestamp": 1690000000, "ip_address": "192.0.2.9"}]}
        ),
        "security_and_login_information/account_activity.json": _j(
            {"account_activity_v2": [{"action": "Login", "timestamp": 1690000000}]}
        ),
        "security_and_login_information/two-factor_authentication.json": _j(
            {"label_values": [{"label": "Stato", "ent_field_name": "State", "value": "Enabled"}]}
        ),
        "connections/friends/your_friends.json": _j({"friends_v2": [{"name": "A"}]}),
        "apps_and_websites_off_of_facebook/apps_and_websites.json": (
            DATA / "facebook" / "apps_and_websites.json"
        ).read_bytes(),
    }
    extra = {  # the 2018 names and keys, albums, places and the newer security files
        "posts/album/0.json": _j(
            {"name": "A", "photos": [{"uri": "posts/media/a/2.jpg", "description": "Pier"}]}
        ),
        "comments/comments.json": _j({"comments": comments["comments_v2"]}),
        "security_and_login_information/record_details.json": _j(
            {"admin_records_v2": [{"event": "Password Change", "session": {"ip_address": "x"}}]}
        ),
        "security_and_login_information/logins_and_logouts.json": _j(
            {"account_accesses_v2": [{"action": "Anmelden", "timestamp": 1690000100}]}
        ),
    }
    placed = posts + [
        {
            "timestamp": 1500000000,
            "attachments": [{"data": [{"place": {"name": "Cafe", "address": "Via Roma 1"}}]}],
            "tags": ["Bob", {"name": "Carol"}],
        }
    ]
    old = {
        "posts/your_posts_1.json": _j(placed),
        "messages/inbox/b/message_1.json": _j(thread),
        **extra,
    }
    return [Seed(members), Seed(old)]


def _reddit_seeds() -> list[Seed]:
    files = {
        "posts.csv": (
            "id,permalink,date,ip,subreddit,gildings,title,url,body\n"
            "p1,/r/medicine/comments/p1/night/,2024-01-02 03:04:05 UTC,192.0.2.1,medicine,0,"
            '"Night shift","","Saw a 67-year-old, ""stable"" now.\nSecond line."\n'
            "p2,/r/running/comments/p2/pr/,2024-02-01 10:00:00 UTC,,running,0,New PR,"
            "https://i.redd.it/x.jpg,\n"
        ),
        "comments.csv": (
            "id,permalink,date,ip,subreddit,gildings,link,parent,body,media\n"
            "c1,/r/medicine/comments/p9/x/c1/,2024-01-03 00:00:00 UTC,,medicine,0,"
            "https://www.reddit.com/r/medicine/comments/p9/,t3_p9,Agreed,\n"
        ),
        "ip_logs.csv": "date,ip\n2024-01-01 00:00:00 UTC,192.0.2.1\nregistration ip,198.51.100.7\n",
        "linked_identities.csv": "issuer_id,subject_id\nhttps://accounts.google.com,12345\n",
        "statistics.csv": "statistic,value\naccount name,dr_throwaway\nemail,dr@example.com\n",
        "user_preferences.csv": "preference,value\nshow_presence,true\n",
        "messages.csv": (
            "id,permalink,thread_id,date,ip,from,to,subject,body\n"
            "m1,/message/messages/m1,t1,2024-01-05 10:00:00 UTC,,someone,dr_throwaway,"
            "my scan,Can you look at my MRI?\n"
        ),
        "chat_history.csv": (
            "message_id,created_at,updated_at,username,message,thread_parent_message_id,"
            "channel_url,subreddit,channel_name,conversation_type\n"
            "c1,2024-02-01 09:00:00 UTC,,dr_throwaway,see you,,sendbird_group_channel_1,,,direct\n"
        ),
    }
    return [Seed({k: v.encode() for k, v in files.items()})]


def _bluesky_seeds() -> list[Seed]:
    seeds = []
    built = _tests_module("test_bluesky")
    if built is not None and hasattr(built, "repo") and hasattr(built, "RECORDS"):
        with contextlib.suppress(Exception):  # a builder mid-edit must not stop the fuzzer
            seeds.append(Seed({"repo.car": built.repo(built.RECORDS, fanout=4)}, ("file", "zip")))
    for name in ("greenground.repo.car", "repo_slice.car"):
        if (DATA / "bluesky" / name).is_file():
            seeds.append(Seed({name: (DATA / "bluesky" / name).read_bytes()}, ("file", "zip")))
    return seeds


def _tiktok_seeds() -> list[Seed]:
    seeds = []
    for path in sorted((DATA / "tiktok").glob("*/*.json")):
        seeds.append(Seed({path.name: path.read_bytes()}, ("file", "zip")))
    return seeds


SEEDS: dict[str, Callable[[], list[Seed]]] = {
    "x": _x_seeds,
    "posts": _post_file_seeds,
    "mastodon": _mastodon_seeds,
    "linkedin": _linkedin_seeds,
    "instagram": _instagram_seeds,
    "facebook": _facebook_seeds,
    "reddit": _reddit_seeds,
    "bluesky": _bluesky_seeds,
    "tiktok": _tiktok_seeds,
}


def _generic_seeds() -> list[Seed]:
    """For a source registered without seeds here: an empty JSON file, alone and zipped."""
    return [Seed({"export.json": b"{}"}, ("file", "zip"))]


_targets: dict[str, Target] = {}


def targets() -> dict[str, Target]:
    """One target per source registered now, so a plugin added later is fuzzed too."""
    if not _targets:
        from auditor.plugins import discover

        for name in sorted(discover().sources):
            _targets[name] = Target(name, SEEDS.get(name, _generic_seeds)())
    return _targets


# --- inputs -----------------------------------------------------------------------------------


def corpus(target: Target) -> list[bytes]:
    """Every seed as fuzz inputs: each member in each container, and each whole container."""
    out = []
    for s, seed in enumerate(target.seeds):
        names = list(seed.members)
        for c, kind in enumerate(seed.kinds):
            for m, name in enumerate(names):
                out.append(bytes([s, m, c]) + seed.members[name])
            if kind != "file":
                out.append(bytes([s, len(names), c]) + _container(seed.members, kind))
    return out


def _container(members: dict[str, bytes], kind: str) -> bytes:
    buf = io.BytesIO()
    if kind == "tar":
        with tarfile.open(fileobj=buf, mode="w:gz") as tar:
            for name, data in members.items():
                info = tarfile.TarInfo(name)
                info.size = len(data)
                tar.addfile(info, io.BytesIO(data))
    else:
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
            for name, data in members.items():
                z.writestr(zipfile.ZipInfo(name, (2024, 5, 1, 12, 0, 0)), data)
    return buf.getvalue()


def build_input(target: Target, data: bytes, root: Path) -> Path:
    """Write the export that `data` describes under root; returns the path to open."""
    head = data[:HEADER].ljust(HEADER, b"\0")
    payload = data[HEADER:]
    seed = target.seeds[head[0] % len(target.seeds)]
    names = list(seed.members)
    which = head[1] % (len(names) + 1)
    kind = seed.kinds[head[2] % len(seed.kinds)]
    if which == len(names):  # the payload is the whole container, however damaged
        if kind == "file":
            which = 0
        else:
            path = root / ("export.tar.gz" if kind == "tar" else "export.zip")
            path.write_bytes(payload)
            return path
    members = dict(seed.members)
    members[names[which]] = payload
    if kind == "file":
        path = root / names[which]
        path.write_bytes(payload)
        return path
    if kind == "folder":
        path = root / "export"
        for name, body in members.items():
            f = path / name
            f.parent.mkdir(parents=True, exist_ok=True)
            f.write_bytes(body)
        return path
    path = root / ("export.tar.gz" if kind == "tar" else "export.zip")
    path.write_bytes(_container(members, kind))
    return path


# --- one execution ----------------------------------------------------------------------------


class Crash(Exception):
    """A finding: what went wrong and where, one per distinct signature."""

    def __init__(self, kind: str, detail: str, trace: str = "") -> None:
        super().__init__(f"{kind}: {detail}")
        self.kind = kind
        self.detail = detail
        self.trace = trace
        self.data = b""

    @property
    def signature(self) -> str:
        frames = re.findall(r'File "([^"]*auditor[/\\][^"]+)", line (\d+), in (\S+)', self.trace)
        where = f"{Path(frames[-1][0]).name}:{frames[-1][1]}" if frames else "-"
        return f"{self.kind}@{where}"


class _Hang(BaseException):
    """Raised by the alarm; a BaseException so an importer's `except Exception` lets it by."""


def _on_alarm(_signum: int, _frame: object) -> None:
    raise _Hang


def _listing(*dirs: Path) -> dict[str, tuple[int, int]]:
    out = {}
    for d in dirs:
        for dirpath, dirnames, files in os.walk(d):
            for name in dirnames + files:
                p = os.path.join(dirpath, name)
                st = os.lstat(p)
                out[p] = (st.st_size, st.st_mtime_ns)
    return out


class Harness:
    """Runs one target's inputs in a private work dir and turns any fault into a Crash."""

    def __init__(
        self,
        name: str,
        work: Path,
        time_limit: float = 5.0,
        memory_mb: int = 1024,
        watch: tuple[Path, ...] = (),
    ) -> None:
        from auditor.plugins import discover

        self.target = targets()[name]
        self.plugins = discover()
        self.work = work
        self.inputs = work / "in"
        # the child's cwd and TMPDIR are private too: an importer writing there is caught
        self.watched = [self.inputs, *watch]
        self.time_limit = time_limit
        self.memory_kb = memory_mb * 1024
        self.rss_base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        self.executions = 0

    def run(self, data: bytes) -> None:
        """One input, start to end; raises Crash."""
        self.executions += 1
        shutil.rmtree(self.inputs, ignore_errors=True)
        self.inputs.mkdir(parents=True)
        path = build_input(self.target, data, self.inputs)
        before = _listing(*self.watched)
        try:
            self._read(path)
        except Crash as crash:
            crash.data = data
            raise
        finally:
            after = _listing(*self.watched)
            shutil.rmtree(self.inputs, ignore_errors=True)
        if after != before:
            changed = sorted(set(after.items()) ^ set(before.items()))
            raise Crash("wrote", f"files appeared or changed: {[p for p, _ in changed][:5]}")
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        if rss - self.rss_base > self.memory_kb:
            self.rss_base = rss  # one finding per jump, not one per input after it
            raise Crash("memory", f"peak RSS grew to {rss // 1024} MB")

    def _read(self, path: Path) -> None:
        from auditor.engine import open_source
        from auditor.errors import InputError

        old = signal.signal(signal.SIGALRM, _on_alarm)
        signal.setitimer(signal.ITIMER_REAL, self.time_limit)
        try:
            try:
                imp = open_source(path, self.plugins, self.target.platform)
            except InputError as exc:
                _one_line(exc.where, exc.message)
                return
            for stream in ("posts", "messages"):
                try:
                    for _ in getattr(imp, stream):
                        pass
                except InputError as exc:  # the engine records these as a coverage error
                    _one_line(exc.where, exc.message)
            for error in imp.errors:
                _one_line(error.file, error.message)
        except _Hang:
            raise Crash("hang", f"over {self.time_limit:g} s", traceback.format_exc()) from None
        except Crash:
            raise
        except Exception as exc:
            raise Crash(type(exc).__name__, str(exc)[:300], traceback.format_exc()) from None
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, old)


def _one_line(where: object, message: object) -> None:
    if not isinstance(where, str) or not isinstance(message, str):
        raise Crash("bad-error", f"not text: {where!r}: {message!r}"[:300])
    if "\n" in where or "\n" in message or "\r" in message:
        raise Crash("multi-line", f"{where}: {message}"[:300])


class Findings:
    """Saves the first input of each distinct crash, with its traceback."""

    def __init__(self, root: Path, target: str) -> None:
        self.root = root
        self.target = target
        self.seen: set[str] = set()

    def add(self, data: bytes, crash: Crash) -> bool:
        if crash.signature in self.seen:
            return False
        self.seen.add(crash.signature)
        self.root.mkdir(parents=True, exist_ok=True)
        stem = f"{self.target}-{hashlib.sha1(data).hexdigest()[:12]}"
        (self.root / f"{stem}.bin").write_bytes(data)
        (self.root / f"{stem}.txt").write_text(
            f"target: {self.target}\nsignature: {crash.signature}\n{crash}\n\n{crash.trace}"
        )
        print(f"FINDING {self.target} {crash.signature}: {crash}", file=sys.stderr, flush=True)
        return True


# --- engines (each runs in the child process of one target) ---------------------------------


def _check_registered(name: str) -> None:
    """Called only once auditor is imported (instrumented, under atheris)."""
    if name not in targets():
        from auditor.plugins import discover

        sys.exit(f"{name} is not a registered source now: {discover().errors}")


def _private() -> tuple[Path, ...]:
    return (Path.cwd(), Path(tempfile.gettempdir()))


def _child_atheris(args: argparse.Namespace) -> None:
    import atheris

    with atheris.instrument_imports(include=["auditor"]):
        import auditor.engine  # noqa: F401
        from auditor.plugins import discover

        discover()  # loads every importer module, so each is instrumented
    _check_registered(args.child)
    work = Path(args.work)
    harness = Harness(args.child, work, args.time_limit, args.memory_mb, _private())
    findings = Findings(Path(args.findings), args.child)
    seeds = work / "corpus"
    seeds.mkdir(exist_ok=True)
    inputs = corpus(harness.target)
    for data in inputs:
        (seeds / hashlib.sha1(data).hexdigest()).write_bytes(data)

    def one(data: bytes) -> None:
        try:
            harness.run(data)
        except Crash as crash:
            findings.add(crash.data, crash)

    argv = [
        sys.argv[0],
        f"-max_total_time={max(1, int(args.seconds))}",
        f"-seed={args.seed or 1}",
        f"-timeout={int(args.time_limit * 2) + 5}",
        f"-rss_limit_mb={args.memory_mb * 2 + 512}",
        f"-max_len={max(len(d) for d in inputs) + 4096}",
        f"-artifact_prefix={Path(args.findings)}/{args.child}-",
        "-print_final_stats=1",
        str(seeds),
    ]
    Path(args.findings).mkdir(parents=True, exist_ok=True)
    atheris.Setup(argv, one)
    atheris.Fuzz()


def mutations(
    seeds: list[bytes],
) -> object:
    """A hypothesis strategy: a seed input under a few byte-level edits, so it shrinks to the
    smallest edit that still fails."""
    from hypothesis import strategies as st

    edit = st.tuples(
        st.integers(0, 6),
        st.integers(0, 2**31),
        st.integers(0, 2**31),
        st.binary(max_size=8) | st.sampled_from(TOKENS),
    )

    @st.composite
    def build(draw: Callable) -> bytes:
        data = bytearray(draw(st.sampled_from(seeds)))
        for op, a, b, chunk in draw(st.lists(edit, max_size=6)):
            n = len(data)
            i = a % (n + 1)
            j = min(n, i + b % 64)
            if op == 0:
                data[i:i] = chunk
            elif op == 1:
                del data[i:j]
            elif op == 2:
                data[i:j] = chunk
            elif op == 3:
                data = data[:i]
            elif op == 4 and i < n:
                data[i] ^= 1 << (b % 8)
            elif op == 5:
                data[i:i] = data[i:j] * (1 + b % 4)
            elif op == 6 and data:
                data[a % HEADER if n >= HEADER else 0] = b % 256  # another member or container
        return bytes(data)

    return build()


def fuzz_hypothesis(harness: Harness, *, max_examples: int, seed: int = 0) -> int:
    """Run up to max_examples mutated seeds through the harness, the test suite's way: the
    first crash is shrunk and raised. Returns the number of executions."""
    from hypothesis import HealthCheck, given, settings
    from hypothesis import seed as hseed

    start = harness.executions

    @hseed(seed)
    @settings(
        max_examples=max_examples,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
        print_blob=False,
    )
    @given(mutations(corpus(harness.target)))
    def case(data: bytes) -> None:
        harness.run(data)

    case()
    return harness.executions - start


def _child_hypothesis(args: argparse.Namespace) -> None:
    from hypothesis import HealthCheck, given, settings
    from hypothesis import seed as hseed

    _check_registered(args.child)
    harness = Harness(args.child, Path(args.work), args.time_limit, args.memory_mb, _private())
    findings = Findings(Path(args.findings), args.child)
    strategy = mutations(corpus(harness.target))
    end = time.monotonic() + args.seconds
    batch = 0
    while time.monotonic() < end:
        batch += 1

        @hseed(args.seed * 100_003 + batch)
        @settings(
            max_examples=200,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        @given(strategy)
        def case(data: bytes) -> None:
            if time.monotonic() < end:
                harness.run(data)

        try:
            case()
        except Crash as crash:
            findings.add(crash.data, crash)  # hypothesis re-raises the shrunk input's crash
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    print(json.dumps({"executions": harness.executions, "peak_rss_mb": peak}))


# --- the driver -------------------------------------------------------------------------------


def _engine(choice: str) -> str:
    if choice != "auto":
        return choice
    try:
        import atheris  # noqa: F401
    except ImportError:
        return "hypothesis"
    return "atheris"


def _parse_stats(log: str, engine: str) -> dict:
    stats: dict = {"executions": None, "coverage": None, "corpus": None, "peak_rss_mb": None}
    if engine == "hypothesis":
        for line in reversed(log.splitlines()):
            if line.startswith("{"):
                stats.update(json.loads(line))
                break
        return stats
    m = re.search(r"stat::number_of_executed_units:\s*(\d+)", log)
    progress = re.findall(r"^#(\d+)\s+\S+\s+cov: (\d+) ft: (\d+) corp: (\d+)", log, re.M)
    if m:
        stats["executions"] = int(m.group(1))
    elif progress:
        stats["executions"] = int(progress[-1][0])
    if progress:
        _, cov, ft, corp = progress[-1]
        stats.update(coverage=int(cov), features=int(ft), corpus=int(corp))
    peak = re.search(r"stat::peak_rss_mb:\s*(\d+)", log)
    stats["peak_rss_mb"] = int(peak.group(1)) if peak else None
    return stats


def run_target(name: str, seconds: float, args: argparse.Namespace, engine: str) -> dict:
    """Fuzz one target in a child process with its own cwd and TMPDIR; returns its figures."""
    findings = Path(args.findings).resolve()
    before = set(findings.glob(f"{name}-*")) if findings.is_dir() else set()
    with tempfile.TemporaryDirectory(prefix=f"auditor-fuzz-{name}-") as tmp:
        work = Path(tmp)
        for sub in ("cwd", "tmp"):
            (work / sub).mkdir()
        cmd = [
            sys.executable,
            str(Path(__file__).resolve()),
            "--child",
            name,
            "--engine",
            engine,
            "--seconds",
            str(seconds),
            "--seed",
            str(args.seed),
            "--work",
            str(work),
            "--findings",
            str(findings),
            "--time-limit",
            str(args.time_limit),
            "--memory-mb",
            str(args.memory_mb),
        ]
        env = dict(os.environ, TMPDIR=str(work / "tmp"), PYTHONHASHSEED="0")
        log_path = work / "log"
        started = time.monotonic()
        with log_path.open("w") as log:
            try:
                proc = subprocess.run(
                    cmd,
                    cwd=work / "cwd",
                    env=env,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    timeout=seconds + 120,
                )
                rc = proc.returncode
            except subprocess.TimeoutExpired:
                rc = "timeout"
        wall = time.monotonic() - started
        log = log_path.read_text(errors="replace")
    stats = _parse_stats(log, engine)
    new = sorted(set(findings.glob(f"{name}-*")) - before) if findings.is_dir() else []
    crashes = [p for p in new if p.suffix == ".txt"]
    artifacts = [p for p in new if p.suffix not in (".bin", ".txt")]  # libFuzzer's own
    if rc not in (0,) and not artifacts:
        tail = "\n".join(log.splitlines()[-30:])
        print(f"{name}: the fuzzer exited with {rc}:\n{tail}", file=sys.stderr)
    if args.verbose:
        print(log, file=sys.stderr)
    return {
        "target": name,
        "engine": engine,
        "seconds": round(wall, 1),
        "rc": rc,
        **stats,
        "findings": [p.read_text().splitlines()[1].removeprefix("signature: ") for p in crashes]
        + [f"libfuzzer:{p.name}" for p in artifacts],
        "files": [str(p) for p in new],
    }


def replay(path: Path, name: str, args: argparse.Namespace) -> int:
    """Run one saved input and print what it does."""
    with tempfile.TemporaryDirectory(prefix="auditor-fuzz-replay-") as tmp:
        harness = Harness(name, Path(tmp), args.time_limit, args.memory_mb)
        try:
            harness.run(path.read_bytes())
        except Crash as crash:
            print(f"{crash.signature}: {crash}\n{crash.trace}")
            return 1
    print("no finding")
    return 0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    ap.add_argument("--target", action="append", help="a source name; repeat; default all")
    ap.add_argument("--seconds", type=float, default=60.0, help="in all, split over the targets")
    ap.add_argument("--per-target", action="store_true", help="--seconds is for each target")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--engine", choices=("auto", "atheris", "hypothesis"), default="auto")
    ap.add_argument("--findings", default="fuzz-findings", help="where crashes are saved")
    ap.add_argument("--time-limit", type=float, default=5.0, help="seconds per input")
    ap.add_argument("--memory-mb", type=int, default=1024, help="peak RSS growth allowed")
    ap.add_argument("--json", action="store_true", help="print the figures as JSON")
    ap.add_argument("--verbose", action="store_true", help="print each fuzzer's log")
    ap.add_argument("--replay", type=Path, help="run one saved input of --target")
    ap.add_argument("--list", action="store_true", help="list the targets and their seeds")
    ap.add_argument("--child", help=argparse.SUPPRESS)
    ap.add_argument("--work", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        engine = _engine(args.engine)
        (_child_atheris if engine == "atheris" else _child_hypothesis)(args)
        return 0
    names = args.target or list(targets())
    unknown = [n for n in names if n not in targets()]
    if unknown:
        ap.error(f"unknown target(s) {unknown}; known: {', '.join(targets())}")
    if args.list:
        for n in names:
            t = targets()[n]
            print(f"{n}: {len(t.seeds)} seeds, {len(corpus(t))} corpus inputs")
        return 0
    if args.replay:
        if len(names) != 1:
            ap.error("--replay needs one --target")
        return replay(args.replay, names[0], args)
    engine = _engine(args.engine)
    each = args.seconds if args.per_target else args.seconds / len(names)
    results = []
    for n in names:
        print(f"fuzzing {n} for {each:.0f} s with {engine} ...", file=sys.stderr, flush=True)
        results.append(run_target(n, each, args, engine))
    total = sum(r["executions"] or 0 for r in results)
    found = sum(len(r["findings"]) for r in results)
    if args.json:
        print(json.dumps({"engine": engine, "results": results, "executions": total}, indent=2))
    else:
        print(
            f"{'target':<10} {'seconds':>7} {'execs':>9} {'cov':>6} {'corpus':>6} {'rss MB':>6}"
            "  findings"
        )
        for r in results:
            cells = [r.get(k) for k in ("executions", "coverage", "corpus", "peak_rss_mb")]
            ex, cov, corp, rss = ("-" if v is None else v for v in cells)
            print(
                f"{r['target']:<10} {r['seconds']:>7} {ex:>9} {cov:>6} {corp:>6} {rss:>6}  "
                f"{', '.join(r['findings']) or 'none'}"
            )
        print(f"total: {total} executions, {found} findings ({engine})")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
