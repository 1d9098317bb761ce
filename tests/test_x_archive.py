import io
import json
import shutil
from datetime import UTC, datetime

import pytest

from auditor.engine import open_source
from auditor.errors import InputError
from auditor.model import two_factor_status
from auditor.plugins import discover
from auditor.sources.json_stream import RecordReader, iter_array

from conftest import DATA, run_cli
from xbuild import account, js, simple_archive, tweet, write_archive


def read(path, platform=None):
    imp = open_source(path, discover(), platform)
    return imp, list(imp.posts)


@pytest.fixture
def real_folder(tmp_path):
    """The real darkliquid tweets.js and manifest, as an unzipped archive folder."""
    root = tmp_path / "twitter-2023-07-02"
    (root / "data").mkdir(parents=True)
    for name in ("tweets.js", "manifest.js", "account.js", "ageinfo.js"):
        shutil.copy(DATA / "x" / name, root / "data" / name)
    return root


def test_real_tweets_read_from_manifest(real_folder):
    imp, posts = read(real_folder)
    assert imp.platform == "x" and imp.layout == "x-2022"
    assert len(posts) == 28
    assert sum(p.is_repost for p in posts) == 1
    first = posts[0]
    assert first.id == "1629012888185610242"
    assert first.created_at == datetime(2023, 2, 24, 6, 58, 32, tzinfo=UTC)
    assert first.reply_to == "RPDeshaies"
    assert first.url == "https://x.com/simonw/status/1629012888185610242"
    assert sum(1 for p in posts if p.reply_to) == 23
    # HTML entities unescaped
    amp = next(p for p in posts if p.id == "1607434750175715329")
    assert "&amp;" not in amp.text and "&" in amp.text
    photo = next(p for p in posts if p.id == "1541752634348019715")
    assert photo.has_media and photo.media == ()  # the file itself is not in this archive
    # the manifest lists many files this trimmed archive lacks: named, not fatal
    assert any(m.endswith("ni-devices.js") for m in imp.files_missing)


def test_self_replies_are_marked(real_folder):
    _, posts = read(real_folder)
    own = [p for p in posts if p.reply_to == "darkliquid"]
    assert [p.id for p in own] == ["1589594490826010624"]


def test_zip_and_folder_read_the_same(real_folder, tmp_path):
    zipped = shutil.make_archive(str(tmp_path / "archive"), "zip", real_folder)
    _, from_folder = read(real_folder)
    _, from_zip = read(tmp_path / "archive.zip")
    assert from_zip == from_folder
    assert zipped.endswith(".zip")


def test_example_archive_posts_security_and_what_is_not_a_post(example_archive):
    labels = json.loads((example_archive.parent / "x_archive_labels.json").read_text())
    imp, posts = read(example_archive)
    ids = {p.id for p in posts}
    assert len(posts) == len(labels["tweets"]) == 41
    reposts = {p.id for p in posts if p.is_repost}
    assert reposts == {labels["tweets"]["rt_bp_checks"]["id"], labels["tweets"]["rt_interns"]["id"]}
    # likes, DMs and deleted-tweet headers are never posts
    assert not ids & set(labels["not_posts"]["like_tweet_ids"])
    assert not ids & set(labels["not_posts"]["deleted_tweet_ids"])
    assert not any("Gloria Whitfield" in p.text or "Castellano" in p.text for p in posts)
    # the long post's full text comes from note-tweet.js
    note = next(p for p in posts if p.id == labels["tweets"]["ten_years_note"]["id"])
    assert note.text.endswith(labels["note_tail"])
    # media file names kept on the post
    rash = next(p for p in posts if p.id == labels["tweets"]["rash_photo"]["id"])
    assert rash.has_media and rash.media == (
        "data/tweets_media/1432478798619611136-FGG6zcWk37fKMh4.png",
    )
    thread = [labels["tweets"][f"thread_{i}"]["id"] for i in (2, 3)]
    assert all(next(p for p in posts if p.id == t).reply_to == "DrMayaOkafor" for t in thread)
    # each reply names the post it answers, so the thread can be judged as one text
    first = labels["tweets"]["thread_1"]["id"]
    assert [next(p for p in posts if p.id == t).reply_to_id for t in thread] == [first, thread[0]]

    (acct, sec) = next(iter(imp.accounts.values()))
    assert acct.key == "x:DrMayaOkafor"
    status = two_factor_status(sec)
    assert status.status == "sms" and status.methods == ("sms",)
    assert sec.private is False  # Unprotect is the newest action
    assert len(sec.connected_apps) == 2 and set(sec.connected_apps[0].permissions) >= {"write"}
    assert len(sec.logins) == 4 and len(sec.sessions) == 2
    assert sec.phones and sec.emails
    assert imp.errors == []


def test_no_manifest_old_names_and_bare_tweets(tmp_path):
    """2019-era `tweet.js` whose elements are the bare tweet, found without a manifest."""
    files = {
        "data/account.js": js("YTD.account.part0", [account()]),
        "data/tweet.js": js(
            "YTD.tweet.part0",
            [tweet("1", "first", wrap=False), tweet("2", "second &gt; third", wrap=False)],
        ),
    }
    imp, posts = read(write_archive(tmp_path / "old.zip", files))
    assert imp.layout == "x-2019"
    assert [p.text for p in posts] == ["first", "second > third"]


def test_split_parts_in_order(tmp_path):
    files = {
        "data/account.js": js("YTD.account.part0", [account()]),
        "data/tweets-part2.js": js("YTD.tweets.part2", [tweet("3", "c")]),
        "data/tweets.js": js("YTD.tweets.part0", [tweet("1", "a")]),
        "data/tweets-part1.js": js("YTD.tweets.part1", [tweet("2", "b")]),
    }
    _, posts = read(write_archive(tmp_path / "parts", files))
    assert [p.id for p in posts] == ["1", "2", "3"]


def test_manifest_drives_discovery(tmp_path):
    manifest = {
        "userInfo": {"accountId": "42", "userName": "drtest", "displayName": "Dr Test"},
        "dataTypes": {
            "tweets": {
                "files": [
                    {"fileName": "data/tweets-part1.js", "globalName": "YTD.tweets.part1"},
                    {"fileName": "data/tweets-part2.js", "globalName": "YTD.tweets.part2"},
                ]
            }
        },
    }
    files = {
        "data/manifest.js": "window.__THAR_CONFIG = " + json.dumps(manifest, indent=2),
        "data/tweets-part1.js": js("YTD.tweets.part1", [tweet("1", "a")]),
        "data/tweets-part2.js": js("YTD.tweets.part2", [tweet("2", "b")]),
        "data/tweets.js": js("YTD.tweets.part0", [tweet("9", "not listed in the manifest")]),
    }
    imp, posts = read(write_archive(tmp_path / "m.zip", files))
    assert [p.id for p in posts] == ["1", "2"]
    assert posts[0].account == "x:drtest"  # handle from the manifest when account.js is absent
    assert any(m.endswith("account.js") for m in imp.files_missing)


def test_long_post_joined_from_note_tweet(tmp_path):
    full = "A" * 200 + " and the rest of a long post that only note-tweet.js holds."
    short = full[:275] + "… https://t.co/abc123"
    note = {
        "noteTweet": {
            "noteTweetId": "999",
            "createdAt": "2023-02-24T06:58:32.000Z",
            "updatedAt": "2023-02-24T06:58:32.000Z",
            "core": {"text": full, "urls": [], "mentions": [], "hashtags": []},
        }
    }
    extra = {"data/note-tweet.js": js("YTD.note_tweet.part0", [note])}
    _, posts = read(simple_archive(tmp_path / "n.zip", [tweet("5", short)], extra))
    assert posts[0].text == full


def _security(tmp_path, extra):
    imp, _ = read(simple_archive(tmp_path / "s.zip", [tweet("1", "hello")], extra))
    return next(iter(imp.accounts.values()))[1]


def test_sms_two_factor_only_from_auth_device(tmp_path):
    devices = [
        {"niDeviceResponse": {"pushDevice": {"deviceType": "Android", "udid": "x"}}},
        {
            "niDeviceResponse": {
                "messagingDevice": {
                    "phoneNumber": "+15555550142",
                    "deviceType": "Full",
                    "createdDate": "2020.01.01",
                }
            }
        },
    ]
    sec = _security(tmp_path, {"data/ni-devices.js": js("YTD.ni_devices.part0", devices)})
    assert two_factor_status(sec).status == "unknown"  # push and Full devices are not 2FA
    devices[1]["niDeviceResponse"]["messagingDevice"]["deviceType"] = "Auth"
    sec = _security(tmp_path, {"data/ni-devices.js": js("YTD.ni_devices.part0", devices)})
    status = two_factor_status(sec)
    assert status.status == "sms"
    assert "5555550142" not in " ".join(status.evidence)  # the number is masked
    assert any("authenticator app" in e for e in status.evidence)


def test_protected_history_newest_action_wins(tmp_path):
    history = [
        {"protectedHistory": {"protectedAt": "2024-03-01T00:00:00.000Z", "action": "Protect"}},
        {"protectedHistory": {"protectedAt": "2023-01-01T00:00:00.000Z", "action": "Unprotect"}},
    ]
    sec = _security(
        tmp_path, {"data/protected-history.js": js("YTD.protected_history.part0", history)}
    )
    assert sec.private is True
    empty = _security(
        tmp_path, {"data/protected-history.js": "window.YTD.protected_history.part0 = []"}
    )
    assert empty.private is None and "unknown" in empty.private_evidence


def test_old_account_phone_and_real_files(tmp_path):
    extra = {"data/account.js": (DATA / "x" / "account.js").read_text()}
    sec = _security(tmp_path, extra)
    assert sec.phones == ("+15555555555",) and sec.emails == ("swillison@example.com",)


def test_bare_object_wrapper_reads_as_one_record():
    """ageinfo.js: a newline after `=` and a bare object, not an array."""
    raw = (DATA / "x" / "ageinfo.js").read_bytes()
    body = raw[raw.index(b"=") + 1 :]
    problems = []
    got = list(iter_array(io.BytesIO(b""), body, RecordReader(dict), "ageinfo.js", problems.append))
    assert got == [{"ageMeta": {}}] and problems == []


class CountingStream(io.RawIOBase):
    def __init__(self, data):
        self.data, self.pos = data, 0

    def readable(self):
        return True

    def read(self, n=-1):
        n = len(self.data) - self.pos if n is None or n < 0 else n
        out = self.data[self.pos : self.pos + n]
        self.pos += len(out)
        return out


def _big_tweets_js(n):
    return js("YTD.tweets.part0", [tweet(str(i), f"post number {i} " * 20) for i in range(n)])


def test_posts_stream_without_reading_the_whole_file():
    data = _big_tweets_js(20000).encode()
    stream = CountingStream(data)
    head = stream.read(4096)
    records = iter_array(
        stream, head[head.index(b"=") + 1 :], RecordReader(dict, "tweet"), "t", [].append
    )
    first = next(records)
    assert first["id_str"] == "0"
    assert stream.pos < len(data) / 4  # only the first chunk was read


@pytest.mark.parametrize("style", ["pretty", "minified", "jackson"])
def test_every_json_layout_gives_the_same_records(style):
    items = [
        {"tweet": {"id_str": str(i), "full_text": f"t{i}, {{not}} a brace"}} for i in range(50)
    ]
    if style == "pretty":
        body = json.dumps(items, indent=2)
    elif style == "minified":
        body = json.dumps(items, separators=(",", ":"))
    else:
        body = "[ " + ", ".join(json.dumps(i, indent=2) for i in items) + " ]"
    problems = []
    got = list(
        iter_array(
            io.BytesIO(b""), body.encode(), RecordReader(dict, "tweet"), "t", problems.append
        )
    )
    assert [g["id_str"] for g in got] == [str(i) for i in range(50)] and problems == []


def test_truncated_stream_keeps_complete_records():
    data = _big_tweets_js(3000).encode()
    cut = data[: len(data) * 2 // 3]
    stream = io.BytesIO(cut)
    head = stream.read(4096)
    problems = []
    got = list(
        iter_array(
            stream,
            head[head.index(b"=") + 1 :],
            RecordReader(dict, "tweet"),
            "tweets.js",
            problems.append,
        )
    )
    assert len(got) == cut.count(b"\n  },\n  {")  # every record completed before the cut
    assert [g["id_str"] for g in got] == [str(i) for i in range(len(got))]
    assert len(problems) == 1 and "tweets.js" in problems[0] and "incomplete" in problems[0]


def test_gdpr_era_files_at_the_root(tmp_path):
    """2018 archives put the .js files at the zip's root, with `phone_number.js`."""
    files = {
        "account.js": js("YTD.account.part0", [account()]),
        "tweet.js": js("YTD.tweet.part0", [tweet("1", "hello from 2018")]),
        "phone_number.js": js("YTD.phone_number.part0", [{"device": {"phoneNumber": "+15550100"}}]),
    }
    imp, posts = read(write_archive(tmp_path / "gdpr.zip", files))
    assert imp.layout == "x-2018" and [p.text for p in posts] == ["hello from 2018"]
    (_, sec) = next(iter(imp.accounts.values()))
    assert sec.phones == ("+15550100",)


def test_platform_override_names_what_was_expected(tmp_path):
    path = tmp_path / "posts.jsonl"
    path.write_text('{"id": "1", "text": "hi"}\n')
    with pytest.raises(InputError, match=r"--platform x \(X/Twitter archive\) finds none"):
        open_source(path, discover(), "x")


def test_many_long_posts_joined_through_the_compressed_store(tmp_path):
    """Past the first 32 KB of notes, texts are kept compressed: they must come back whole."""
    tweets, notes = [], []
    for i in range(80):
        full = f"Long post {i}: " + " ".join(f"word{i}-{j}" for j in range(120))
        second = f"{i % 60:02d}"
        tweets.append(
            tweet(
                str(1000 + i),
                full[:275] + "… https://t.co/x" + str(i),
                created_at=f"Fri Feb 24 06:{i // 60:02d}:{second} +0000 2023",
            )
        )
        notes.append(
            {
                "noteTweet": {
                    "noteTweetId": str(5000 + i),
                    "createdAt": f"2023-02-24T06:{i // 60:02d}:{second}.000Z",
                    "core": {"text": full},
                }
            }
        )
    extra = {"data/note-tweet.js": js("YTD.note_tweet.part0", notes)}
    _, posts = read(simple_archive(tmp_path / "many.zip", tweets, extra))
    assert all(p.text.startswith(f"Long post {int(p.id) - 1000}:") for p in posts)
    assert all(p.text.endswith(f"word{int(p.id) - 1000}-119") for p in posts)


@pytest.mark.parametrize("name", ["grailbird_2016/camlistore_test.zip", "grailbird_2016"])
def test_classic_grailbird_archive(name):
    """2012-2018 archives: data/js/tweets/YYYY_MM.js with `Grailbird.data... =` and numbers."""
    imp, posts = read(DATA / "x" / name)
    assert imp.layout == "x-classic"
    assert [p.id for p in posts] == ["727367542772133888", "727366997390946304"]
    assert posts[0].text.startswith("& <> . $ % ^ * && /")  # entities unescaped, \/ decoded
    assert posts[0].created_at.isoformat() == "2016-05-03T05:21:50+00:00"
    assert posts[0].url == "https://x.com/camlistore_test/status/727367542772133888"
    (account, security) = next(iter(imp.accounts.values()))
    assert account.key == "x:camlistore_test" and account.display_name == "Camlistore Test"
    assert "classic" in security.two_factor_notes[0]
    assert imp.errors == []


def _dm(mid, sender, text, at, recipient=None, media=()):
    create = {
        "reactions": [],
        "urls": [],
        "text": text,
        "mediaUrls": list(media),
        "senderId": sender,
        "id": mid,
        "createdAt": at,
    }
    if recipient:
        create["recipientId"] = recipient
    return {"messageCreate": create}


def test_direct_messages_stream_apart_from_posts(tmp_path):
    dms = [
        {
            "dmConversation": {
                "conversationId": "42-77",
                "messages": [
                    _dm("m2", "77", "Thanks doc &amp; see you", "2023-03-02T10:05:00.000Z", "42"),
                    _dm(
                        "m1",
                        "42",
                        "Your results look fine",
                        "2023-03-02T10:00:00.000Z",
                        "77",
                        ["https://ton.twitter.com/dm/m1/1/abc.jpg"],
                    ),
                ],
            }
        }
    ]
    group = [
        {
            "dmConversation": {
                "conversationId": "g100",
                "messages": [
                    {"joinConversation": {"initiatingUserId": "77", "createdAt": "x"}},
                    _dm("m3", "88", "Shift swap Friday?", "2023-04-01T08:00:00.000Z"),
                ],
            }
        }
    ]
    arch = simple_archive(
        tmp_path / "a.zip",
        [tweet("1", "hello world")],
        {
            "data/direct-messages.js": js("YTD.direct_messages.part0", dms),
            "data/direct-messages-group.js": js("YTD.direct_messages_group.part0", group),
        },
    )
    imp = open_source(arch, discover())
    posts = list(imp.posts)
    messages = list(imp.messages)
    assert [p.id for p in posts] == ["1"]  # no message ever becomes a post
    assert [(m.conversation, m.from_user, m.text) for m in messages] == [
        ("42-77", False, "Thanks doc & see you"),
        ("42-77", True, "Your results look fine"),
        ("g100", False, "Shift swap Friday?"),
    ]
    assert messages[1].sent_at.isoformat() == "2023-03-02T10:00:00+00:00"
    assert messages[1].media == ("data/direct_messages_media/m1-abc.jpg",)
    assert {m.account for m in messages} == {"x:drtest"}
    assert "data/direct-messages.js" in imp.files_found


def test_direct_messages_counted_never_shown(tmp_path):
    dms = [
        {
            "dmConversation": {
                "conversationId": "42-77",
                "messages": [_dm("m1", "42", "67yo in bed 4 has a rash", "2023-03-02T10:00:00Z")],
            }
        }
    ]
    arch = simple_archive(
        tmp_path / "a.zip",
        [tweet("1", "hello world")],
        {"data/direct-messages.js": js("YTD.direct_messages.part0", dms)},
    )
    out = tmp_path / "r.json"
    proc = run_cli("scan", str(arch), "--format", "json", "-o", str(out), "--show-text")
    assert proc.returncode == 3, proc.stderr  # the small archive lacks its security files
    doc = json.loads(out.read_text())
    assert doc["accounts"][0]["messages_scanned"] == 1
    assert doc["accounts"][0]["posts_scanned"] == 1
    assert doc["summary"]["messages_scanned"] == 1
    assert doc["coverage"]["sources"][0]["messages_read"] == 1
    assert "bed 4" not in out.read_text()
    text = run_cli("scan", str(arch), "--format", "text", "--show-text").stdout
    assert "bed 4" not in text and "1 DMs, not shown" in text


def test_archive_without_direct_messages_lists_them_missing_without_error(tmp_path):
    arch = simple_archive(tmp_path / "a.zip", [tweet("1", "hello world")])
    imp = open_source(arch, discover())
    assert list(imp.messages) == []
    assert "data/direct-messages.js" in imp.files_missing
    assert not [e for e in imp.errors if "direct-messages" in e.file]
