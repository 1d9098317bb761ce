"""The TikTok importer on user_data.json files built from the documented shapes of the 2022-era
and the regrouped layout (no public real sample exists): tests/data/tiktok/PROVENANCE.md."""

import json
import shutil
import tracemalloc
import zipfile
from datetime import UTC, datetime

import pytest

from auditor.engine import open_source
from auditor.model import two_factor_status
from auditor.plugins import discover

from conftest import DATA, run_cli

V2022 = DATA / "tiktok" / "2022" / "user_data.json"
V2024 = DATA / "tiktok" / "2024" / "user_data_tiktok.json"


def read(path, platform=None):
    imp = open_source(path, discover(), platform)
    posts = list(imp.posts)
    messages = list(imp.messages)
    return imp, posts, messages


def only_account(imp):
    [(account, security)] = imp.accounts.values()
    return account, security


def write(path, doc, **dump):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(doc, indent=2, **dump), encoding="utf-8")
    return path


def test_2022_layout():
    imp, posts, messages = read(V2022)
    assert (imp.platform, imp.layout) == ("tiktok", "tiktok-2022")
    # none of the three videos has a caption (older exports have none): counted, not posts
    assert [p.kind for p in posts] == ["comment", "comment"]  # the "None" comment is skipped
    assert posts[0].text == "Saw a 72-year-old with this exact rash in clinic today, so common"
    assert posts[0].created_at == datetime(2022, 2, 20, 19, 3, 11, tzinfo=UTC)
    assert posts[0].account == "tiktok:dr.ana.kim" and posts[0].platform == "tiktok"
    assert (
        "user_data.json: the caption of 3 of 3 videos (the export has no text for them, so "
        "they were not audited)" in imp.files_missing
    )
    assert len(messages) == 3
    assert [m.from_user for m in messages] == [False, True, False]
    assert {m.conversation for m in messages} == {"patient_jane", "sam_r"}
    assert messages[0].sent_at == datetime(2022, 2, 25, 22, 10, tzinfo=UTC)
    assert messages[0].account == "tiktok:dr.ana.kim" and messages[0].platform == "tiktok"
    account, security = only_account(imp)
    assert (account.key, account.display_name) == ("tiktok:dr.ana.kim", None)
    # the third login row is all "None"/"N/A": no login
    assert [(lo.at, lo.ip) for lo in security.logins] == [
        (datetime(2022, 3, 1, 8, 15, tzinfo=UTC), "192.0.2.10"),
        (datetime(2022, 2, 27, 21, 40, 12, tzinfo=UTC), "198.51.100.23"),
    ]
    settings = {s.name: s.value for s in security.settings}
    assert len(settings) == 9
    assert settings["Who Can Send Messages"] == "No one"
    assert settings["Filter Comments"] == "offensive, spam"
    # the private flag comes from App Settings, never from Tiktok Live's own SettingsMap
    assert security.private is True
    assert "App Settings > Settings > SettingsMap: Private Account = On" in (
        security.private_evidence
    )
    assert security.emails == ("ana.kim@example.com",)
    assert security.phones == ()  # "N/A"
    assert security.connections == 3
    status = two_factor_status(security)
    assert status.status == "unknown"
    assert "2-step verification" in status.evidence[0]
    assert imp.errors == []
    assert "user_data.json: Video > Videos > VideoList (3 records)" in imp.files_found
    assert len(imp.files_missing) == 1  # only the captions: every section was found


def test_regrouped_layout():
    imp, posts, messages = read(V2024)
    assert (imp.platform, imp.layout) == ("tiktok", "tiktok-2024")
    videos = [p for p in posts if p.kind == "post"]
    comments = [p for p in posts if p.kind == "comment"]
    assert [p.id for p in videos] == [
        "7366000000000000001",
        "7362000000000000002",
        "7352000000000000004",
    ]  # the third video's Title is "N/A"
    assert videos[1].text.startswith("Night shift recap: our 34-year-old in room 12")
    assert videos[1].url == "https://www.tiktokv.com/share/video/7362000000000000002/"
    assert videos[0].created_at == datetime(2024, 5, 6, 19, 20, tzinfo=UTC)
    assert [v.visibility for v in videos] == ["public", "followers", None]
    assert all(v.has_media for v in videos)
    assert "user_data_tiktok.json: the caption of 1 of 4 videos" in " ".join(imp.files_missing)
    # lower-case keys; the photo-only comment has no words
    assert [c.text for c in comments] == [
        "We had one like this last week, poor guy (72M)",
        "so true",
    ]
    assert comments[0].created_at == datetime(2024, 5, 2, 14, 1, 9, tzinfo=UTC)
    assert (comments[0].url, comments[0].has_media) == (None, False)
    assert comments[1].has_media
    assert comments[1].url == "https://www.tiktokv.com/share/video/7361000000000000009/"
    assert len(messages) == 4
    assert sum(m.from_user for m in messages) == 2
    assert messages[2].text == ""  # "N/A"
    account, security = only_account(imp)
    assert (account.key, account.display_name) == ("tiktok:nurse.theo", "Theo, RN")
    assert security.private is False
    assert security.emails == ()  # "None"
    assert security.phones == ("+15550100",)
    assert [lo.ip for lo in security.logins] == ["203.0.113.5", "203.0.113.77"]
    assert security.logins[1].at == datetime(2024, 5, 1, 6, 30, tzinfo=UTC)
    assert len(security.settings) == 7
    assert security.connections == 2
    assert imp.errors == []


@pytest.mark.parametrize("fixture", [V2022, V2024], ids=["2022", "2024"])
def test_detected_alone_in_a_folder_and_in_a_zip(tmp_path, fixture):
    folder = tmp_path / "TikTok_Data_1715000000"
    folder.mkdir()
    shutil.copy(fixture, folder / fixture.name)
    archive = tmp_path / "tiktok.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as z:
        z.write(fixture, f"TikTok_Data_1715000000/{fixture.name}")
        z.writestr("TikTok_Data_1715000000/readme.txt", "your data\n")
    counts = set()
    for path in (fixture, folder, archive):
        imp, posts, messages = read(path)
        assert imp.platform == "tiktok", path
        assert imp.errors == []
        counts.add((len(posts), len(messages), imp.layout))
    assert len(counts) == 1  # the same export, whatever it came in


def test_a_generic_posts_file_still_goes_to_the_post_file_source(tmp_path):
    rows = [{"id": "1", "text": "Good morning from the clinic"}]
    for name in ("posts.json", "tiktok.json"):
        imp, posts, _ = read(write(tmp_path / name, rows))
        assert imp.platform == "posts" and len(posts) == 1


def test_comments_under_activity_with_lower_case_keys(tmp_path):
    """A 2024 export seen in the wild keeps the old section names but moves the comments."""
    doc = {
        "Activity": {
            "Comments": {
                "CommentsList": [
                    {"date": "2024-01-02 03:04:05", "comment": "first", "photo": "N/A"},
                    {"date": "None", "comment": "second", "url": "None"},
                ]
            }
        },
        "Profile": {"Profile Info": {"ProfileMap": {"userName": "someone"}}},
    }
    imp, posts, messages = read(write(tmp_path / "user_data.json", doc))
    assert imp.layout == "tiktok-2022"
    assert [(p.text, p.kind, p.created_at) for p in posts] == [
        ("first", "comment", datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)),
        ("second", "comment", None),
    ]
    assert messages == []
    assert "user_data.json: direct messages" in imp.files_missing
    assert "user_data.json: login history" in imp.files_missing
    assert only_account(imp)[0].key == "tiktok:someone"


def test_caption_keys_are_found_whatever_their_case(tmp_path):
    videos = [
        {"Date": "2024-01-01 00:00:00", "Link": "https://www.tiktokv.com/share/video/1001/"},
        {"date": "2024-01-02 00:00:00", "link": "x", "description": "by description"},
        {"DATE": "2024-01-03 00:00:00", "desc": "by desc"},
        {"Date": "2024-01-04 00:00:00", "Title": "None", "Description": "after an empty title"},
    ]
    doc = {"Post": {"Posts": {"VideoList": videos}}}
    imp, posts, _ = read(write(tmp_path / "user_data_tiktok.json", doc))
    assert [p.text for p in posts] == ["by description", "by desc", "after an empty title"]
    assert posts[1].created_at == datetime(2024, 1, 3, tzinfo=UTC)
    assert posts[1].id.startswith("video:")  # no link: an id from the date and text
    assert "the caption of 1 of 4 videos" in imp.files_missing[-1]
    assert only_account(imp)[0].key == "tiktok:user_data_tiktok.json"  # no profile section


def test_a_byte_order_mark_is_read_through(tmp_path):
    path = tmp_path / "user_data.json"
    path.write_bytes(b"\xef\xbb\xbf" + V2022.read_bytes())
    imp, posts, messages = read(path)
    assert (len(posts), len(messages), imp.errors) == (2, 3, [])


def _cut(path, marker, tmp_path):
    data = path.read_bytes()
    cut = tmp_path / "cut" / path.name
    cut.parent.mkdir()
    cut.write_bytes(data[: data.index(marker.encode()) + len(marker)])
    return cut


def test_a_file_cut_mid_json_keeps_what_came_before(tmp_path):
    # the regrouped fixture's sections run: Ads, Direct Message, Post, Profile And Settings, ...
    cut = _cut(V2024, '"Title": "N/A"', tmp_path)  # inside the third video
    imp, posts, messages = read(cut)
    assert [p.id for p in posts] == ["7366000000000000001", "7362000000000000002"]
    assert len(messages) == 4 and sum(m.from_user for m in messages) == 2
    [error] = imp.errors
    assert error.file == str(cut)
    assert "ends inside Post > Posts > VideoList" in error.message
    assert "cut short" in error.message and "\n" not in error.message
    assert "user_data_tiktok.json: profile" in imp.files_missing  # it came after the cut
    account, security = only_account(imp)
    assert account.key == "tiktok:user_data_tiktok.json" and security.logins == ()


def test_a_cut_file_through_the_cli_is_one_line(tmp_path):
    cut = _cut(V2022, '"Great tips', tmp_path)  # inside the second comment
    proc = run_cli("scan", cut, "-f", "json", "-q", "--fail-on", "none", cwd=tmp_path)
    assert proc.returncode == 3, proc.stderr
    assert "Traceback" not in proc.stderr
    (line,) = proc.stderr.splitlines()
    assert line.startswith("auditor: ") and "Comment > Comments > CommentsList" in line
    doc = json.loads(proc.stdout)
    account = doc["accounts"][0]
    # the cut fell before the direct messages and the profile: what came before was audited
    assert (account["comments_scanned"], account["messages_scanned"]) == (1, 0)
    assert account["key"] == "tiktok:user_data.json" and account["private"] is True


@pytest.mark.parametrize(
    ("content", "says"),
    [
        ('[{"id": "1", "text": "hello"}]', "found a JSON list"),
        ('{"orderedItems": [], "type": "OrderedCollection"}', "sections orderedItems, type"),
        ("{}", "found an empty object"),
        ("<html><body>Rate limit exceeded</body></html>", "not JSON"),
        ("", "empty, or cut short before its first section"),
    ],
    ids=["list", "other-object", "empty-object", "html", "empty"],
)
def test_a_wrong_file_forced_is_one_line(tmp_path, content, says):
    path = tmp_path / "data.json"
    path.write_text(content, encoding="utf-8")
    proc = run_cli("scan", path, "--platform", "tiktok", "-q", cwd=tmp_path)
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr and proc.stdout == ""
    (line,) = proc.stderr.splitlines()
    assert line.startswith("auditor: ") and says in line
    if content.startswith(("[", "{")):
        assert "expected a TikTok user_data.json" in line


def test_a_folder_without_user_data_forced(tmp_path):
    (tmp_path / "export").mkdir()
    (tmp_path / "export" / "notes.json").write_text("{}")
    proc = run_cli("scan", tmp_path / "export", "--platform", "tiktok", "-q", cwd=tmp_path)
    assert proc.returncode == 2
    (line,) = proc.stderr.splitlines()
    assert "--platform tiktok" in line and "user_data.json" in line


def test_a_hostile_nesting_is_one_error(tmp_path):
    deep = "[" * 5000 + "]" * 5000
    text = (
        '{"Activity": {"Video Browsing History": {"VideoList": ' + deep + "}},"
        ' "Comment": {"Comments": {"CommentsList": [{"Date": "2022-01-01 00:00:00",'
        ' "Comment": "ok"}, {"Comment": ' + deep + "}]}}}"
    )
    path = tmp_path / "user_data.json"
    path.write_text(text)
    imp, posts, _ = read(path)
    assert [p.text for p in posts] == ["ok"]
    [error] = imp.errors
    assert "nested deeper than" in error.message


def test_the_browsing_history_is_never_built(tmp_path):
    """A heavy viewer's file is mostly watch and like history: it is streamed past, so memory
    stays flat whatever its size, and the user's own posts still come out right."""
    doc = json.loads(V2024.read_text(encoding="utf-8"))
    seen = {"Date": "2024-05-01 10:00:00", "Link": "https://www.tiktokv.com/share/video/736/"}
    doc["Your Activity"]["Watch History"]["VideoList"] = [seen] * 40_000
    doc["Your Activity"]["Like List"]["ItemFavoriteList"] = [seen] * 15_000
    doc["Your Activity"]["Searches"]["SearchList"] = [{"Date": "x", "SearchTerm": "y"}] * 15_000
    path = write(tmp_path / "user_data_tiktok.json", doc)
    assert path.stat().st_size > 5_000_000
    plugins = discover()  # imports stay out of the measure
    tracemalloc.start()
    try:
        imp = open_source(path, plugins)
        posts = list(imp.posts)
        messages = list(imp.messages)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert (len(posts), len(messages), imp.errors) == (5, 4, [])
    assert len(only_account(imp)[1].logins) == 2
    # built, the 70,000 history records would take tens of MB
    assert peak < 2_000_000, f"peak {peak:,} bytes"


def test_scan_names_the_platform_layout_and_counts_the_messages(tmp_path):
    for fixture, layout, counts in (
        (V2022, "tiktok-2022", (0, 2, 3)),
        (V2024, "tiktok-2024", (3, 2, 4)),
    ):
        proc = run_cli("scan", fixture, "-f", "json", "-q", "--fail-on", "none", cwd=tmp_path)
        assert proc.returncode == 0, proc.stderr
        doc = json.loads(proc.stdout)
        [source] = doc["coverage"]["sources"]
        assert (source["platform"], source["layout"]) == ("tiktok", layout)
        assert source["messages_read"] == counts[2]
        [account] = doc["accounts"]
        got = (account["posts_scanned"], account["comments_scanned"], account["messages_scanned"])
        assert got == counts
        # direct messages are counted, never shown
        assert "biopsy" not in proc.stdout and "Alvarez" not in proc.stdout


def test_empty_sections_are_found_not_missing(tmp_path):
    doc = {
        "Video": {"Videos": {"VideoList": []}},
        "Activity": {
            "Follower List": {"FansList": []},
            "Login History": {"LoginHistoryList": None},
        },
    }
    imp, posts, messages = read(write(tmp_path / "user_data.json", doc))
    assert (posts, messages, imp.errors) == ([], [], [])
    assert "user_data.json: Video > Videos > VideoList (0 records)" in imp.files_found
    assert "user_data.json: Activity > Login History > LoginHistoryList (0 records)" in (
        imp.files_found
    )
    assert "user_data.json: your videos" not in imp.files_missing
    assert only_account(imp)[1].connections == 0
