"""The Facebook importer on exports built from the documented shapes of each folder generation
(no public sample of posts or security files exists), with text written as Meta's mojibake,
and on the real connected-apps file."""

import json
import shutil

import pytest

from auditor.engine import open_source
from auditor.model import two_factor_status
from auditor.plugins import discover

from conftest import DATA, run_cli


def moji(text):
    """How Meta writes text: every UTF-8 byte as its own character."""
    return text.encode("utf-8").decode("latin-1")


POSTS = [
    {
        "timestamp": 1700000000,
        "data": [{"post": moji('Saw a 67-year-old in the ED tonight, caf\u00e9 nurse said "wow"')}],
        "title": moji("Dr. Ana Kim updated her status."),
    },
    {
        "timestamp": 1600000000,
        "attachments": [
            {"data": [{"media": {"uri": "posts/media/album/1.jpg", "description": "Our garden"}}]}
        ],
        "data": [{"update_timestamp": 1600000001}, {}],
    },
]
COMMENTS = {
    "comments_v2": [
        {
            "timestamp": 1650000000,
            "title": "Ana commented on Bob's post.",
            "data": [
                {"comment": {"timestamp": 1650000000, "comment": "Congrats!", "author": "Ana"}}
            ],
        },
        {"timestamp": 1650000001, "title": "Ana commented on a post."},
    ]
}
PROFILE = {
    "profile_v2": {
        "name": {"full_name": moji("Ana Kim\u00e9")},
        "emails": {"emails": ["ana@example.com"]},
        "phone_numbers": [{"phone_type": "Mobile", "phone_number": "+15550100"}],
    }
}
TWO_FACTOR = {"label_values": [{"label": "Stato", "ent_field_name": "State", "value": "Enabled"}]}
SESSIONS = {
    "active_sessions_v2": [
        {"created_timestamp": 1690000000, "app": "Facebook for Android", "ip_address": "192.0.2.9"}
    ]
}
ACTIVITY = {
    "account_activity_v2": [
        {"action": "Login", "timestamp": 1690000000, "ip_address": "192.0.2.9", "country": "US"}
    ]
}
FRIENDS = {"friends_v2": [{"name": "A", "timestamp": 1}, {"name": "B", "timestamp": 2}]}


def export(tmp_path, generation="2024", two_factor=True):
    prefix = {
        "2018": "",
        "2022": "your_activity_across_facebook/",
        "2024": "your_facebook_activity/",
    }
    posts_name = (
        "posts/your_posts_1.json"
        if generation == "2018"
        else "posts/your_posts__check_ins__photos_and_videos_1.json"
    )
    root = tmp_path / f"facebook-anakim-{generation}"
    files = {
        prefix[generation] + posts_name: POSTS,
        prefix[generation] + "comments_and_reactions/comments.json": COMMENTS,
        "personal_information/profile_information/profile_information.json": PROFILE,
        "security_and_login_information/where_you're_logged_in.json": SESSIONS,
        "security_and_login_information/account_activity.json": ACTIVITY,
        "connections/friends/your_friends.json": FRIENDS,
    }
    if two_factor:
        files["security_and_login_information/two-factor_authentication.json"] = TWO_FACTOR
    for name, value in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(value, indent=2))
    apps = root / "apps_and_websites_off_of_facebook"
    apps.mkdir()
    shutil.copy(DATA / "facebook" / "apps_and_websites.json", apps)
    return root


@pytest.mark.parametrize("generation", ["2018", "2022", "2024"])
def test_each_generation(tmp_path, generation):
    imp = open_source(export(tmp_path, generation), discover())
    posts = list(imp.posts)
    assert imp.layout == f"facebook-{generation}"
    own = [p for p in posts if p.kind == "post"]
    assert [p.text for p in own] == [
        'Saw a 67-year-old in the ED tonight, caf\u00e9 nurse said "wow"',  # mojibake repaired
        "Our garden",  # a photo's caption when the post has no text
    ]
    assert own[0].created_at.isoformat() == "2023-11-14T22:13:20+00:00"
    assert own[1].has_media
    assert [p.text for p in posts if p.kind == "comment"] == ["Congrats!"]
    (account, security) = next(iter(imp.accounts.values()))
    assert account.display_name == "Ana Kim\u00e9"
    assert two_factor_status(security).status == "enabled"
    assert len(security.sessions) == 1 and security.sessions[0].client == "Facebook for Android"
    assert security.logins[0].ip == "192.0.2.9"
    assert security.connections == 2
    assert security.emails == ("ana@example.com",) and security.phones == ("+15550100",)
    assert {a.name for a in security.connected_apps} >= {"Investing.com app", "RaiPlay"}
    assert imp.errors == []


def test_no_two_factor_file_is_unknown(tmp_path):
    imp = open_source(export(tmp_path, two_factor=False), discover())
    (_, security) = next(iter(imp.accounts.values()))
    status = two_factor_status(security)
    assert status.status == "unknown" and "no two-factor file" in status.evidence[0]


def test_html_export_is_named_with_how_to_request_json(tmp_path):
    root = tmp_path / "facebook-html"
    (root / "posts").mkdir(parents=True)
    (root / "posts" / "your_posts_1.html").write_text("<html></html>")
    proc = run_cli("scan", root, "-q", cwd=tmp_path)
    assert proc.returncode == 2
    (line,) = proc.stderr.splitlines()
    assert "in HTML" in line and "Format JSON" in line


def test_instagram_export_is_not_facebook(tmp_path):
    proc = run_cli("scan", DATA / "instagram", "--platform", "facebook", "-q", cwd=tmp_path)
    assert proc.returncode == 2 and "--platform facebook" in proc.stderr


def test_scan_of_a_facebook_export(tmp_path):
    proc = run_cli("scan", export(tmp_path), "-f", "json", "-q", cwd=tmp_path)
    doc = json.loads(proc.stdout)
    account = doc["accounts"][0]
    assert (account["posts_scanned"], account["comments_scanned"]) == (2, 1)
    assert account["two_factor"]["status"] == "enabled"
    assert any(f["check"] == "content.patient-identifiers" for f in doc["findings"])


def thread(messages, title="Bob Lee"):
    return {
        "participants": [{"name": moji("Ana Kim\u00e9")}, {"name": title}],
        "messages": messages,
        "title": title,
        "is_still_participant": True,
        "thread_path": "inbox/boblee_123",
    }


@pytest.mark.parametrize("generation", ["2018", "2022", "2024"])
def test_messenger_threads_stream_apart_from_posts(tmp_path, generation):
    root = export(tmp_path, generation)
    box = root / {"2018": "", "2022": "your_activity_across_facebook/", "2024": ""}[generation]
    box = box / ("your_facebook_activity/" if generation == "2024" else "") / "messages"
    threads = {
        "inbox/boblee_123/message_1.json": thread(
            [
                {
                    "sender_name": moji("Ana Kim\u00e9"),
                    "timestamp_ms": 1690000060000,
                    "content": moji("Your biopsy came back clear \u00e9"),
                    "photos": [{"uri": "messages/inbox/boblee_123/photos/1.jpg"}],
                },
                {"sender_name": "Bob Lee", "timestamp_ms": 1690000000000, "content": "Any news?"},
                {"sender_name": "Bob Lee", "timestamp_ms": 1689999999000, "is_unsent": True},
                {"sender_name": "Bob Lee", "timestamp_ms": 1689999990000, "photos": []},
            ]
        ),
        "e2ee_cabinet/carol_9/message_1.json": thread(
            [{"sender_name": "Carol", "timestamp_ms": 1700000000000, "content": "hi"}], "Carol"
        ),
    }
    for name, value in threads.items():
        path = box / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(value))
    (box / "inbox/boblee_123/photos").mkdir()
    (box / "inbox/boblee_123/photos/1.jpg").write_bytes(b"\xff\xd8")
    imp = open_source(root, discover())
    assert len(list(imp.posts)) == 3  # two posts and a comment: no message is a post
    messages = list(imp.messages)
    assert [(m.conversation, m.from_user, m.text) for m in messages] == [
        ("carol_9", False, "hi"),
        ("boblee_123", True, "Your biopsy came back clear \u00e9"),
        ("boblee_123", False, "Any news?"),
    ]
    assert messages[1].sent_at.isoformat() == "2023-07-22T04:27:40+00:00"
    assert messages[1].media[0].endswith("messages/inbox/boblee_123/photos/1.jpg")
    assert "messages/inbox/" not in imp.files_missing


def test_export_without_messages_lists_the_inbox_missing(tmp_path):
    imp = open_source(export(tmp_path), discover())
    assert list(imp.messages) == [] and "messages/inbox/" in imp.files_missing


def test_places_tags_notes_and_album_captions(tmp_path):
    root = export(tmp_path, "2018")
    posts = [
        {
            "timestamp": 1500000000,
            "data": [{"post": "Lunch break"}],
            "attachments": [
                {
                    "data": [
                        {
                            "place": {
                                "name": moji("Caf\u00e9 Rosa"),
                                "coordinate": {"latitude": 45.1, "longitude": 9.2},
                                "address": "Via Roma 1, Milano",
                                "url": "https://www.facebook.com/caferosa",
                            }
                        },
                        {"external_context": {"url": "https://example.com"}},
                    ]
                }
            ],
            "tags": ["Bob Lee", moji("Zo\u00eb")],
        },
        {
            "timestamp": 1500000100,
            "attachments": [{"data": [{"note": {"title": "Shift", "text": "Long night on 4B"}}]}],
            "tags": [{"name": "Carol"}],
        },
        {
            "timestamp": 1500000200,
            "attachments": [
                {"data": [{"media": {"uri": "posts/media/a/1.jpg", "description": "Garden"}}]}
            ],
        },
    ]
    (root / "posts" / "your_posts_1.json").write_text(json.dumps(posts))
    album = {
        "name": "Holiday",
        "photos": [
            {"uri": "posts/media/a/1.jpg", "creation_timestamp": 1500000200, "description": "x"},
            {"uri": "posts/media/a/2.jpg", "creation_timestamp": 1500000300, "description": "Pier"},
            {"uri": "posts/media/a/3.jpg", "creation_timestamp": 1500000400},
        ],
    }
    (root / "posts" / "album").mkdir()
    (root / "posts" / "album" / "0.json").write_text(json.dumps(album))
    (root / "posts" / "media" / "a").mkdir(parents=True)
    for n in (1, 2, 3):
        (root / "posts" / "media" / "a" / f"{n}.jpg").write_bytes(b"\xff\xd8")
    # the 2018 export names the comments array without the _v2 suffix
    (root / "comments_and_reactions" / "comments.json").unlink()
    comments = root / "comments" / "comments.json"
    comments.parent.mkdir()
    comments.write_text(json.dumps({"comments": COMMENTS["comments_v2"]}))
    imp = open_source(root, discover())
    got = list(imp.posts)
    own = [p for p in got if p.kind == "post"]
    assert [p.text for p in own] == ["Lunch break", "Long night on 4B", "Garden", "Pier"]
    assert own[0].place == "Caf\u00e9 Rosa, Via Roma 1, Milano"
    assert own[0].tagged == ("Bob Lee", "Zo\u00eb") and own[1].tagged == ("Carol",)
    assert own[2].media == ("posts/media/a/1.jpg",)  # the album repeats it: counted once
    assert own[3].id == "album:2.jpg" and own[3].media == ("posts/media/a/2.jpg",)
    assert [p.text for p in got if p.kind == "comment"] == ["Congrats!"]


def test_account_changes_devices_protection_and_older_login_file(tmp_path):
    root = export(tmp_path, "2022")
    security = root / "security_and_login_information"
    (security / "account_activity.json").unlink()
    files = {
        "logins_and_logouts.json": {
            "account_accesses_v2": [
                {
                    "action": "Anmelden",
                    "timestamp": 1690000100,
                    "site": "www.facebook.com",
                    "ip_address": "198.51.100.4",
                }
            ]
        },
        "record_details.json": {
            "admin_records_v2": [
                {
                    "event": "Password Change",
                    "session": {"created_timestamp": 1680000000, "ip_address": "198.51.100.5"},
                },
                {"event": "Email change", "session": {"created_timestamp": 1670000000}},
            ]
        },
        "recognized_devices.json": {
            "recognized_devices_v2": [{"name": "Chrome on Mac", "created_timestamp": 1660000000}]
        },
        "login_protection_data.json": {
            "login_protection_data_v2": [
                {"name": "Cookie: abc", "session": {"created_timestamp": 1650000000}},
                {"name": "IP-Adresse: 198.51.100.4", "session": {"created_timestamp": 1650000001}},
            ]
        },
    }
    for name, value in files.items():
        (security / name).write_text(json.dumps(value))
    imp = open_source(root, discover())
    (_, state) = next(iter(imp.accounts.values()))
    assert [(c.event, c.ip) for c in state.account_changes] == [
        ("Password Change", "198.51.100.5"),
        ("Email change", None),
    ]
    assert state.account_changes[0].at.isoformat() == "2023-03-28T10:40:00+00:00"
    assert [(login.kind, login.ip) for login in state.logins] == [("Anmelden", "198.51.100.4")]
    assert [s.client for s in state.sessions] == ["Facebook for Android", "Chrome on Mac"]
    assert {s.name: s.value for s in state.settings} == {"login_protection_entries": 2}
    assert imp.errors == []


@pytest.mark.parametrize(
    ("state", "status"),
    [("Attivo", "enabled"), ("Disattivato", "unknown"), ("Disattivata", "disabled")],
)
def test_two_factor_state_in_italian(tmp_path, state, status):
    root = export(tmp_path)
    value = {"label_values": [{"label": "Stato", "ent_field_name": "State", "value": state}]}
    (root / "security_and_login_information" / "two-factor_authentication.json").write_text(
        json.dumps(value)
    )
    imp = open_source(root, discover())
    (_, security) = next(iter(imp.accounts.values()))
    assert two_factor_status(security).status == status


def test_missing_two_factor_file_is_listed(tmp_path):
    imp = open_source(export(tmp_path, two_factor=False), discover())
    assert "security_and_login_information/two-factor_authentication.json" in imp.files_missing
