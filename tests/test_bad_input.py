"""Bad input: one `auditor: <file>: <message>` line per problem, and the rest of the audit runs.

Each case runs the real CLI in a subprocess (cwd and HOME inside tmp_path, a timeout so a hang
fails, an address-space limit so a memory blow-up fails) and checks the promise: no traceback,
a few stderr lines that each start with `auditor:` and name the file, the documented exit code
(0 clean, 2 the only source cannot be read, 3 a source failed but the rest ran), nothing
extracted or written anywhere under tmp_path, and the inputs' bytes and mtimes unchanged.

"""

from __future__ import annotations

import hashlib
import json
import os
import random
import shutil
import stat
import struct
import subprocess
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
EXAMPLE = REPO / "examples" / "dr-maya-okafor-twitter-archive.zip"
EXAMPLE_POSTS = 39  # 41 tweets, 2 of them retweets
EXAMPLE_RECORDS = 41

TIMEOUT = 60
HANG_TIMEOUT = 8  # for inputs that must be refused fast; the current code hangs on them
MEMORY_LIMIT = 2 << 30  # address space per run: reading a "4 GB" member whole would fail
ZIP_DATE = (2024, 5, 1, 12, 0, 0)
OLD_MTIME_NS = 1_000_000_000 * 10**9  # 2001: any write to an input would move it

FIRST_ID = 1_600_000_000_000_000_000
CREATED = "Fri Feb 24 06:58:32 +0000 2023"
ACCOUNT_JS = (
    'window.YTD.account.part0 = [ {\n  "account" : {\n    "username" : "x",\n'
    '    "accountId" : "1"\n  }\n} ]'
)
# The security files a real archive always has; absent, each one is a "missing" coverage line.
SETTINGS = (
    "phone-number",
    "ni-devices",
    "ip-audit",
    "device-token",
    "connected-application",
    "protected-history",
)


# --- building inputs ----------------------------------------------------------------------


def tweet_id(i: int) -> str:
    return str(FIRST_ID + i)


def tweets_js(n: int) -> str:
    """`data/tweets.js` with n tweets, pretty-printed like X's export (2-space indent)."""
    records = [
        {
            "tweet": {
                "id_str": tweet_id(i),
                "id": tweet_id(i),
                "full_text": f"Quiet afternoon number {i} spent reading about garden birds.",
                "created_at": CREATED,
                "lang": "en",
            }
        }
        for i in range(n)
    ]
    return "window.YTD.tweets.part0 = " + json.dumps(records, indent=2, separators=(",", " : "))


def x_members(n: int = 5, tweets: str | bytes | None = None) -> dict[str, str | bytes]:
    members: dict[str, str | bytes] = {
        "data/tweets.js": tweets_js(n) if tweets is None else tweets,
        "data/account.js": ACCOUNT_JS,
    }
    for name in SETTINGS:
        members[f"data/{name}.js"] = f"window.YTD.{name.replace('-', '_')}.part0 = [ ]"
    return members


def write_zip(
    path: Path,
    members: dict[str, str | bytes],
    compression: int = zipfile.ZIP_DEFLATED,
) -> Path:
    with zipfile.ZipFile(path, "w") as z:
        for name, data in members.items():
            info = zipfile.ZipInfo(name, date_time=ZIP_DATE)  # keeps `..` and leading `/`
            info.compress_type = compression
            z.writestr(info, data)
    return old(path)


def write_folder(path: Path, members: dict[str, str | bytes]) -> Path:
    for name, data in members.items():
        target = path / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data.encode() if isinstance(data, str) else data)
        old(target)
    return path


def write_file(path: Path, data: str | bytes) -> Path:
    path.write_bytes(data.encode() if isinstance(data, str) else data)
    return old(path)


def old(path: Path) -> Path:
    os.utime(path, ns=(OLD_MTIME_NS, OLD_MTIME_NS))
    return path


def build_archive(path: Path, n: int = 5, **kw: object) -> Path:
    return write_zip(path, x_members(n, **kw))


def example_members() -> dict[str, bytes]:
    with zipfile.ZipFile(EXAMPLE) as z:
        return {i.filename: z.read(i) for i in z.infolist() if not i.is_dir()}


def patch_member(
    path: Path,
    member: str,
    *,
    file_size: int | None = None,
    flags: int = 0,
    method: int | None = None,
) -> Path:
    """Rewrite fields of one member's local and central headers in place."""
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as z:
        local = z.getinfo(member).header_offset
    assert data[local : local + 4] == b"PK\x03\x04"
    centrals = [
        i
        for i in range(len(data) - 46)
        if data[i : i + 4] == b"PK\x01\x02"
        and data[i + 46 : i + 46 + struct.unpack_from("<H", data, i + 28)[0]] == member.encode()
    ]
    assert len(centrals) == 1
    for at, flag_off, method_off, size_off in ((local, 6, 8, 22), (centrals[0], 8, 10, 24)):
        struct.pack_into(
            "<H", data, at + flag_off, struct.unpack_from("<H", data, at + flag_off)[0] | flags
        )
        if method is not None:
            struct.pack_into("<H", data, at + method_off, method)
        if file_size is not None:
            struct.pack_into("<I", data, at + size_off, file_size)
    path.write_bytes(bytes(data))
    return old(path)


# --- running the CLI ----------------------------------------------------------------------


@dataclass
class Result:
    rc: int
    stdout: str
    stderr: str

    @property
    def lines(self) -> list[str]:
        return self.stderr.splitlines()

    @property
    def report(self) -> dict:
        return json.loads(self.stdout)

    @property
    def posts(self) -> int:
        return self.report["summary"]["posts_scanned"]

    def source(self, name: str) -> dict:
        hits = [s for s in self.report["coverage"]["sources"] if Path(s["path"]).name == name]
        assert len(hits) == 1, self.report["coverage"]["sources"]
        return hits[0]

    def handles(self) -> list[str | None]:
        return [a["handle"] for a in self.report["accounts"]]


def _limit_memory() -> None:  # pragma: no cover - runs in the child
    import resource

    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


HISTORY = {
    "home/data/auditor",
    "home/data/auditor/history.sqlite",
    # what the media stage saw in the example's photos, by content hash (owner-only)
    "home/data/auditor/media-cache.sqlite",
}


def snapshot(root: Path) -> dict[str, tuple]:
    """Every entry under root: regular files by mtime and content, others by type only."""
    out: dict[str, tuple] = {}
    for dirpath, dirs, files in os.walk(root):
        for name in dirs + files:
            p = Path(dirpath, name)
            st = p.lstat()
            rel = p.relative_to(root).as_posix()
            if stat.S_ISREG(st.st_mode):
                out[rel] = (st.st_mtime_ns, hashlib.sha256(p.read_bytes()).hexdigest())
            else:
                out[rel] = (stat.S_IFMT(st.st_mode),)  # never open a FIFO here
    return out


def file_state(path: Path) -> tuple | None:
    if not path.is_file():
        return None
    return (path.stat().st_mtime_ns, hashlib.sha256(path.read_bytes()).hexdigest())


def cli_env(home: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        HOME=str(home),
        XDG_CONFIG_HOME=str(home / "config"),
        XDG_CACHE_HOME=str(home / "cache"),
        XDG_DATA_HOME=str(home / "data"),
        PYTHONDONTWRITEBYTECODE="1",
        COLUMNS="100",
    )
    return env


@pytest.fixture(scope="session")
def warm_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A user cache holding both compiled recogniser databases (compiling takes seconds)."""
    root = tmp_path_factory.mktemp("warm")
    warm = "from auditor.text.analysis import Analyser; Analyser().analyse('in the ED').spans"
    proc = subprocess.run(
        [sys.executable, "-c", warm],
        cwd=root,
        env=cli_env(root / "home"),
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )
    assert proc.returncode == 0, f"the recognisers do not compile: {proc.stderr}"
    cache = root / "home" / "cache"
    cache.mkdir(parents=True, exist_ok=True)
    return cache


@pytest.fixture(autouse=True)
def home(tmp_path: Path, warm_cache: Path) -> Path:
    """HOME and the XDG folders inside tmp_path, the cache pre-warmed so no run writes to it."""
    home = tmp_path / "home"
    shutil.copytree(warm_cache, home / "cache")
    (home / "config").mkdir()
    (home / "data").mkdir()
    return home


def run_cli(
    tmp_path: Path,
    args: list[str],
    *,
    timeout: float = TIMEOUT,
    code: str | None = None,
    outside: tuple[Path, ...] = (),
) -> Result:
    env = cli_env(tmp_path / "home")
    cmd = [sys.executable, "-c", code, *args] if code else [sys.executable, "-m", "auditor", *args]
    before = snapshot(tmp_path)
    before_outside = [file_state(p) for p in outside]
    try:
        proc = subprocess.run(
            cmd,
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            errors="replace",
            timeout=timeout,
            stdin=subprocess.DEVNULL,
            preexec_fn=_limit_memory if sys.platform == "linux" else None,
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"auditor {' '.join(args)} hung: no exit within {timeout} s")
    # the files a run may add: the audit history (fingerprints and counts, no post text) and
    # the media cache
    after = {k: v for k, v in snapshot(tmp_path).items() if k not in HISTORY or k in before}
    assert after == before, "the run wrote, extracted or changed files"
    assert [file_state(p) for p in outside] == before_outside, "an input outside tmp_path changed"
    return Result(proc.returncode, proc.stdout, proc.stderr)


def scan(tmp_path: Path, *sources: Path | str, timeout: float = TIMEOUT, **kw: object) -> Result:
    args = ["scan", *map(str, sources), "--format", "json", "--quiet", "--fail-on", "none"]
    outside = tuple(Path(s) for s in sources if not Path(s).resolve().is_relative_to(tmp_path))
    return run_cli(tmp_path, args, timeout=timeout, outside=outside, **kw)


def check_stderr(res: Result, *names: str, max_lines: int = 3) -> None:
    """No traceback; 1..max_lines lines, each `auditor: ...`; each name in some line."""
    assert "Traceback" not in res.stderr, res.stderr
    assert "internal error" not in res.stderr, res.stderr
    assert 1 <= len(res.lines) <= max_lines, res.stderr
    for line in res.lines:
        assert line.startswith("auditor: "), res.stderr
    for name in names:
        assert any(name in line for line in res.lines), (name, res.stderr)


def check_input_error(res: Result, *names: str) -> None:
    """The only source could not be read: exit 2, one line, no report."""
    assert res.rc == 2, (res.rc, res.stderr)
    check_stderr(res, *names, max_lines=1)
    assert res.stdout == ""


def check_partial(res: Result, *names: str, max_lines: int = 3) -> None:
    """A source failed but the rest ran: exit 3 and a full report on stdout."""
    assert res.rc == 3, (res.rc, res.stderr)
    check_stderr(res, *names, max_lines=max_lines)
    assert res.report["summary"]["errors"] >= 1


def clean_jsonl(path: Path, n: int = 4) -> Path:
    rows = [
        {"id": f"p{i}", "text": f"Good morning, post {i} of the clinic newsletter."}
        for i in range(n)
    ]
    return write_file(path, "".join(json.dumps(r) + "\n" for r in rows))


# --- baselines: the builder's archives and the example are clean --------------------------


def test_built_archive_is_clean(tmp_path: Path) -> None:
    res = scan(tmp_path, build_archive(tmp_path / "archive.zip", 7))
    assert res.rc == 0, res.stderr
    assert res.stderr == ""
    assert res.posts == 7
    assert res.handles() == ["x"]


def test_example_is_clean(tmp_path: Path) -> None:
    res = scan(tmp_path, EXAMPLE)
    assert res.rc == 0, res.stderr
    assert res.stderr == ""
    assert res.posts == EXAMPLE_POSTS
    assert res.source(EXAMPLE.name)["posts_read"] == EXAMPLE_RECORDS


# --- the container cannot be read ---------------------------------------------------------


@pytest.mark.parametrize(
    "content",
    [b"", b"PK\x03\x04<html><body>Rate limit exceeded</body></html>\n"],
    ids=["empty", "html"],
)
def test_not_a_zip_named_zip(tmp_path: Path, content: bytes) -> None:
    res = scan(tmp_path, write_file(tmp_path / "twitter-archive.zip", content))
    check_input_error(res, "twitter-archive.zip", "not a readable zip")


@pytest.mark.parametrize("which", ["built", "example"])
def test_zip_truncated_to_half(tmp_path: Path, which: str) -> None:
    full = build_archive(tmp_path / "full.zip", 200) if which == "built" else EXAMPLE
    data = full.read_bytes()
    cut = write_file(tmp_path / "cut.zip", data[: len(data) // 2])
    res = scan(tmp_path, cut)
    check_input_error(res, "cut.zip", "not a readable zip")


def test_missing_path(tmp_path: Path) -> None:
    res = scan(tmp_path, tmp_path / "nowhere.zip")
    check_input_error(res, "nowhere.zip", "no such file or folder")


def test_unknown_layout_zip_of_random_files(tmp_path: Path) -> None:
    rnd = random.Random(7)
    members: dict[str, str | bytes] = {
        "IMG_0001.jpg": rnd.randbytes(3000),
        "notes/todo.txt": "buy milk\n",
        "data/random.bin": rnd.randbytes(500),
        "tweets.json": "[1, 2, 3]",
    }
    res = scan(tmp_path, write_zip(tmp_path / "photos.zip", members))
    check_input_error(res, "photos.zip", "not a recognised export")


def test_unknown_layout_folder_with_readme(tmp_path: Path) -> None:
    folder = write_folder(tmp_path / "export", {"README.md": "# my export\n"})
    res = scan(tmp_path, folder)
    check_input_error(res, "export", "not a recognised export")


def test_lone_js_data_file_is_not_an_export(tmp_path: Path) -> None:
    js = write_file(tmp_path / "ageinfo.js", 'window.YTD.ageinfo.part0 = {\n  "ageMeta" : { }\n}')
    res = scan(tmp_path, js)
    check_input_error(res, "ageinfo.js", "not a recognised export")


# --- tweets.js is damaged -----------------------------------------------------------------


def _cut_mid_record(text: str, k: int) -> str:
    """tweets.js cut inside record k (0-based): records 0..k-1 are complete."""
    return text[: text.index(f'"{tweet_id(k)}"') + 6]


@pytest.mark.parametrize(("n", "k"), [(20, 13), (12_000, 11_000)], ids=["small", "multi-mb"])
def test_truncated_tweets_js_keeps_complete_records(tmp_path: Path, n: int, k: int) -> None:
    archive = build_archive(tmp_path / "archive.zip", tweets=_cut_mid_record(tweets_js(n), k))
    res = scan(tmp_path, archive)
    check_partial(res, "tweets.js", f"({k} records read)")
    assert res.posts == k
    assert res.source("archive.zip")["posts_read"] == k
    assert res.handles() == ["x"]  # account.js was still read
    [error] = res.source("archive.zip")["errors"]
    assert error["file"].endswith("!data/tweets.js")


def test_truncated_tweets_js_in_example(tmp_path: Path) -> None:
    members = example_members()
    text = members["data/tweets.js"].decode()
    starts = [i for i in range(len(text)) if text.startswith('\n  {\n    "tweet"', i)]
    k = len(starts) // 2
    members["data/tweets.js"] = text[: starts[k] + 40]
    res = scan(tmp_path, write_zip(tmp_path / "example-cut.zip", members))
    check_partial(res, "example-cut.zip!data/tweets.js", f"({k} records read)")
    assert res.source("example-cut.zip")["posts_read"] == k
    assert res.handles() == ["DrMayaOkafor"]


GARBAGE = {"ascii": b"@@@ this is not json @@@", "binary": b"\xff\xfe\x00\x01\x80garbage"}


def _with_garbage(n: int, k: int, garbage: bytes) -> bytes:
    """tweets.js whose record k has garbage where its id_str should be."""
    text = tweets_js(n).encode()
    field = f'"id_str" : "{tweet_id(k)}",'.encode()
    assert text.count(field) == 1
    return text.replace(field, garbage)


@pytest.mark.parametrize(
    ("n", "k", "garbage"),
    [(20, 10, "ascii"), (20, 10, "binary"), (12_000, 100, "ascii")],
    ids=["small-ascii", "small-binary", "multi-mb-ascii"],
)
def test_garbage_in_tweets_js(tmp_path: Path, n: int, k: int, garbage: str) -> None:
    archive = build_archive(tmp_path / "archive.zip", tweets=_with_garbage(n, k, GARBAGE[garbage]))
    res = scan(tmp_path, archive)
    check_partial(res, "archive.zip!data/tweets.js", f"{k} records read")
    assert k <= res.posts < n
    if n >= 12_000:  # tweets.js is ~3 MB, read in ~1 MB chunks: reading resumes after the bad one
        assert res.posts > n // 2
    assert res.handles() == ["x"]


def test_garbage_in_tweets_js_is_not_called_truncation(tmp_path: Path) -> None:
    archive = build_archive(
        tmp_path / "archive.zip", tweets=_with_garbage(20, 10, GARBAGE["ascii"])
    )
    res = scan(tmp_path, archive)
    check_partial(res, "tweets.js", "invalid JSON")
    assert "ends in the middle" not in res.stderr


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("", "no `window.YTD"),
        ("window.YTD.tweets.part0 = ", "not valid JSON"),
    ],
    ids=["empty", "prefix-only"],
)
def test_tweets_js_without_json(tmp_path: Path, content: str, message: str) -> None:
    res = scan(tmp_path, build_archive(tmp_path / "archive.zip", tweets=content))
    check_partial(res, "archive.zip!data/tweets.js", message)
    assert res.posts == 0
    assert res.handles() == ["x"]


def test_corrupt_compressed_data_of_tweets_js(tmp_path: Path) -> None:
    archive = build_archive(tmp_path / "archive.zip", 300)
    data = bytearray(archive.read_bytes())
    with zipfile.ZipFile(archive) as z:
        info = z.getinfo("data/tweets.js")
    start = info.header_offset + 30 + len(info.filename) + 100
    for i in range(start, start + 64):
        data[i] ^= 0x55
    write_file(archive, bytes(data))
    res = scan(tmp_path, archive)
    check_partial(res, "archive.zip!data/tweets.js")
    assert res.handles() == ["x"]


def test_unsupported_compression_method(tmp_path: Path) -> None:
    archive = patch_member(build_archive(tmp_path / "archive.zip"), "data/tweets.js", method=9)
    res = scan(tmp_path, archive)
    check_partial(res, "archive.zip!data/tweets.js", "not supported")
    assert res.posts == 0
    assert res.handles() == ["x"]


# --- missing files ------------------------------------------------------------------------


@pytest.mark.parametrize("others", [True, False], ids=["with-settings", "account-only"])
def test_missing_tweets_js(tmp_path: Path, others: bool) -> None:
    members = x_members() if others else {"data/account.js": ACCOUNT_JS}
    members.pop("data/tweets.js", None)
    res = scan(tmp_path, write_zip(tmp_path / "archive.zip", members))
    # Each absent file is its own coverage line: 1 with the settings files, 7 without.
    check_partial(res, "archive.zip!data/tweets.js", max_lines=1 if others else 1 + len(SETTINGS))
    source = res.source("archive.zip")
    assert "data/tweets.js" in source["files_missing"]
    assert "data/account.js" in source["files_found"]
    assert any("tweets.js" in line and "missing" in line for line in res.lines)
    assert res.posts == 0
    assert res.handles() == ["x"]


# --- zip bombs and path traversal ---------------------------------------------------------


@pytest.mark.parametrize(
    ("member", "message"),
    [("data/tweets.js", "zip bomb"), ("data/account.js", "too large")],
)
def test_absurd_declared_size_is_refused(tmp_path: Path, member: str, message: str) -> None:
    archive = patch_member(build_archive(tmp_path / "archive.zip"), member, file_size=0xFFFFFFF0)
    res = scan(tmp_path, archive)
    check_partial(res, f"archive.zip!{member}", message)
    if member == "data/tweets.js":
        assert res.posts == 0
        assert res.handles() == ["x"]
    else:
        assert res.posts == 5
        assert res.handles() == [None]


def test_real_member_past_the_ratio_cap_is_refused(tmp_path: Path) -> None:
    archive = tmp_path / "archive.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in x_members().items():
            if name != "data/tweets.js":
                z.writestr(name, data)
        with z.open("data/tweets.js", "w") as out:  # 257 MiB of spaces: ~1000 to 1
            out.write(b"window.YTD.tweets.part0 = [\n")
            block = b" " * (1 << 20)
            for _ in range(257):
                out.write(block)
            out.write(b"]")
    old(archive)
    assert archive.stat().st_size < 2 << 20
    res = scan(tmp_path, archive)
    check_partial(res, "archive.zip!data/tweets.js", "zip bomb")
    assert res.handles() == ["x"]


def _evil_names(tmp_path: Path) -> list[str]:
    return ["../evil.js", "..\\evil.js", "data/../../evil.js", str(tmp_path.parent / "evil.js")]


@pytest.mark.parametrize("which", range(4), ids=["dotdot", "backslash", "nested", "absolute"])
def test_member_leaving_the_archive_is_skipped(tmp_path: Path, which: int) -> None:
    name = _evil_names(tmp_path)[which]
    members = x_members()
    members[name] = "window.YTD.evil.part0 = [ ]"
    archive = write_zip(tmp_path / "archive.zip", members)
    parent_before = {p.name for p in tmp_path.parent.iterdir()}
    res = scan(tmp_path, archive)
    check_partial(res, "evil.js", "skipped")
    assert res.posts == 5
    assert res.handles() == ["x"]
    # Nothing was written: not next to tmp_path, not under it (scan() compared the whole tree).
    assert {p.name for p in tmp_path.parent.iterdir()} == parent_before
    assert not (tmp_path.parent / "evil.js").exists()
    assert list(tmp_path.rglob("*evil*")) == []


# --- post files ---------------------------------------------------------------------------


def test_csv_without_id_and_text_columns(tmp_path: Path) -> None:
    csv = write_file(tmp_path / "posts.csv", "title,body\nhello,world\nbye,now\n")
    res = scan(tmp_path, csv)
    check_partial(res, "posts.csv", "expected columns id and text")
    assert res.posts == 0


BAD_LINES = {
    "cut": b'{"id": "bad", "text": "cut sh',
    "binary": b'{"id": "bad", "text": "\xff\xfe\x80"}',
    "no-text": b'{"id": "bad"}',
}


@pytest.mark.parametrize("bad", list(BAD_LINES), ids=list(BAD_LINES))
def test_jsonl_with_one_bad_line(tmp_path: Path, bad: str) -> None:
    good = [json.dumps({"id": f"p{i}", "text": f"Clinic update {i}."}).encode() for i in range(5)]
    lines = good[:2] + [BAD_LINES[bad]] + good[2:]
    res = scan(tmp_path, write_file(tmp_path / "posts.jsonl", b"\n".join(lines) + b"\n"))
    check_partial(res, "posts.jsonl", "line 3")
    assert res.posts == 5


@pytest.mark.parametrize("name", ["posts.jsonl", "posts.csv", "posts.json"])
def test_empty_post_file(tmp_path: Path, name: str) -> None:
    res = scan(tmp_path, write_file(tmp_path / name, b""))
    assert res.rc in (0, 3), (res.rc, res.stderr)
    if res.rc == 0:
        assert res.stderr == ""
    else:
        check_stderr(res, name, max_lines=1)
    assert res.posts == 0
    assert res.source(name)["posts_read"] == 0


# --- unusual but valid shapes -------------------------------------------------------------


def test_bare_object_after_equals(tmp_path: Path) -> None:
    members = x_members(
        tweets='window.YTD.tweets.part0 = {\n  "tweet" : {\n    "id_str" : "7",\n'
        f'    "full_text" : "Just one.",\n    "created_at" : "{CREATED}"\n  }}\n}}'
    )
    members["data/account.js"] = (
        'window.YTD.account.part0 = {\n  "account" : {\n    "username" : "bare",\n'
        '    "accountId" : "1"\n  }\n}'
    )
    members["data/ageinfo.js"] = 'window.YTD.ageinfo.part0 = {\n  "ageMeta" : { }\n}'
    res = scan(tmp_path, write_zip(tmp_path / "archive.zip", members))
    assert res.rc == 0, res.stderr
    assert res.stderr == ""
    assert res.posts == 1
    assert res.handles() == ["bare"]


# --- one bad source among good ones -------------------------------------------------------


def _bad_source(tmp_path: Path, kind: str) -> Path:
    if kind == "not-a-zip":
        return write_file(tmp_path / "bad.zip", b"<html>502 Bad Gateway</html>")
    if kind == "half-zip":
        data = EXAMPLE.read_bytes()
        return write_file(tmp_path / "bad.zip", data[: len(data) // 2])
    if kind == "missing":
        return tmp_path / "bad.zip"
    if kind == "readme-folder":
        return write_folder(tmp_path / "bad", {"README.txt": "nothing here\n"})
    if kind == "csv-no-columns":
        return write_file(tmp_path / "bad.csv", "a,b\n1,2\n")
    raise AssertionError(kind)


@pytest.mark.parametrize(
    ("kind", "good"),
    [
        ("not-a-zip", "built"),
        ("missing", "built"),
        ("readme-folder", "built"),
        ("csv-no-columns", "built"),
        ("not-a-zip", "example"),
        ("half-zip", "example"),
    ],
)
def test_one_corrupt_source_and_one_good(tmp_path: Path, kind: str, good: str) -> None:
    bad = _bad_source(tmp_path, kind)
    if good == "built":
        good_path, posts = build_archive(tmp_path / "good.zip", 6), 6
    else:
        good_path, posts = EXAMPLE, EXAMPLE_POSTS
    res = scan(tmp_path, bad, good_path)
    check_partial(res, bad.name, max_lines=1)
    assert res.posts == posts
    assert res.source(good_path.name)["errors"] == []
    assert res.source(bad.name)["errors"]


# --- open bugs: an exception other than InputError escapes and ends the whole audit ----------


def _encrypted(tmp_path: Path, member: str) -> Path:
    return patch_member(build_archive(tmp_path / "locked.zip"), member, flags=0x1)


@pytest.mark.parametrize("member", ["data/tweets.js", "data/account.js"])
def test_password_protected_member(tmp_path: Path, member: str) -> None:
    good = clean_jsonl(tmp_path / "posts.jsonl")
    res = scan(tmp_path, _encrypted(tmp_path, member), good)
    check_partial(res, f"locked.zip!{member}")
    assert res.source("posts.jsonl")["posts_read"] == 4


MANIFESTS = {
    "list": "window.__THAR_CONFIG = [ ]",
    "spec-string": 'window.__THAR_CONFIG = {"dataTypes" : {"tweets" : "tweets.js"}}',
    "filename-int": 'window.__THAR_CONFIG = {"dataTypes":{"tweets":{"files":[{"fileName":5}]}}}',
}


@pytest.mark.parametrize("shape", list(MANIFESTS), ids=list(MANIFESTS))
def test_manifest_of_unexpected_shape(tmp_path: Path, shape: str) -> None:
    members = x_members()
    members["data/manifest.js"] = MANIFESTS[shape]
    good = clean_jsonl(tmp_path / "posts.jsonl")
    res = scan(tmp_path, write_zip(tmp_path / "archive.zip", members), good)
    check_partial(res, "archive.zip!data/manifest.js")
    assert res.posts == 5 + 4  # tweets found by name instead, and the other source read


@pytest.mark.parametrize(
    ("name", "content"),
    [
        pytest.param(
            "data/note-tweet.js",
            'window.YTD.note_tweet.part0 = [ {"noteTweet" : {"core" : "x", "createdAt" : "1"}} ]',
            id="note-core-string",
        ),
        pytest.param(
            "data/connected-application.js",
            'window.YTD.connected_application.part0 = [ {"connectedApplication" : '
            '{"name" : "a", "organization" : "b"}} ]',
            id="app-organization-string",
        ),
        pytest.param(
            "data/connected-application.js",
            'window.YTD.connected_application.part0 = [ {"connectedApplication" : '
            '{"name" : "a", "permissions" : 5}} ]',
            id="app-permissions-number",
        ),
    ],
)
def test_settings_record_of_unexpected_shape(tmp_path: Path, name: str, content: str) -> None:
    members = x_members()
    members[name] = content
    res = scan(tmp_path, write_zip(tmp_path / "archive.zip", members))
    assert res.rc in (0, 3), (res.rc, res.stderr)
    if res.rc == 3:
        check_stderr(res, Path(name).name)
    else:
        assert res.stderr == ""
    assert res.posts == 5
    assert res.handles() == ["x"]


def test_csv_with_unclosed_quote(tmp_path: Path) -> None:
    body = 'id,text\n1,fine\n2,"starts a quote and never ends it\n' + ("more words\n" * 20_000)
    bad = write_file(tmp_path / "posts.csv", body)
    good = build_archive(tmp_path / "archive.zip", 5)
    res = scan(tmp_path, bad, good)
    check_partial(res, "posts.csv")
    assert res.source("archive.zip")["posts_read"] == 5


def test_deeply_nested_settings_file(tmp_path: Path) -> None:
    members = x_members()
    members["data/account.js"] = "window.YTD.account.part0 = " + "[" * 100_000 + "]" * 100_000
    res = scan(tmp_path, write_zip(tmp_path / "archive.zip", members))
    check_partial(res, "archive.zip!data/account.js")
    assert res.posts == 5


def test_deeply_nested_tweets_js_does_not_hang(tmp_path: Path) -> None:
    deep = "[" * 100_000 + "]" * 100_000
    tweets = 'window.YTD.tweets.part0 = [\n  {\n    "tweet" : ' + deep + "\n  }\n]"
    res = scan(
        tmp_path, build_archive(tmp_path / "archive.zip", tweets=tweets), timeout=HANG_TIMEOUT
    )
    check_partial(res, "archive.zip!data/tweets.js")
    assert res.handles() == ["x"]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
@pytest.mark.parametrize("where", ["source", "member"])
def test_named_pipe_does_not_hang(tmp_path: Path, where: str) -> None:
    if where == "source":
        source = tmp_path / "posts.jsonl"
        os.mkfifo(source)
    else:
        source = write_folder(tmp_path / "export", x_members())
        (source / "data" / "tweets.js").unlink()
        os.mkfifo(source / "data" / "tweets.js")
    res = scan(tmp_path, source, timeout=2)
    assert res.rc in (2, 3), (res.rc, res.stderr)
    check_stderr(res, source.name if where == "source" else "tweets.js", max_lines=1)


# --- --debug ------------------------------------------------------------------------------

FORCE_INTERNAL_ERROR = """
import sys
import auditor.engine

def boom(*args, **kwargs):
    raise RuntimeError("forced internal error")

auditor.engine.run = boom
from auditor.cli import main
sys.exit(main(sys.argv[1:]))
"""


@pytest.mark.parametrize("debug", [False, True], ids=["plain", "debug"])
def test_internal_error_traceback_only_with_debug(tmp_path: Path, debug: bool) -> None:
    archive = build_archive(tmp_path / "archive.zip")
    args = ["scan", str(archive), "--format", "json", "--quiet", *(["--debug"] if debug else [])]
    res = run_cli(tmp_path, args, code=FORCE_INTERNAL_ERROR)
    assert res.rc == 3
    assert res.stdout == ""
    assert res.lines[-1].startswith("auditor: internal error: RuntimeError: forced internal error")
    if debug:
        assert "Traceback (most recent call last)" in res.stderr
        assert ", in boom" in res.stderr  # the frame that raised
    else:
        assert "Traceback" not in res.stderr
        assert len(res.lines) == 1


# --- found by the fuzz campaign (benchmarks/fuzz.py) ---------------------------------------


def test_tar_gz_that_is_no_archive_at_all_is_one_line(tmp_path: Path) -> None:
    # tarfile's "r:*" error spans a line per compression it tried
    res = scan(tmp_path, write_file(tmp_path / "export.tar.gz", b"\x00\x00\x01"))
    check_input_error(res, "export.tar.gz", "not a readable tar archive")
    assert "method gz" in res.stderr


def test_csv_header_with_a_quoted_newline_is_one_line(tmp_path: Path) -> None:
    # minimised from the fuzz campaign: a header cell holding a newline was echoed as found
    csv = write_file(tmp_path / "posts.csv", 'id,"te\nxt",body\n1,hello,world\n')
    res = scan(tmp_path, csv)
    check_partial(res, "posts.csv", "expected columns id and text (found: id, te xt, body)")
    assert len(res.lines) == 1
