"""The Instagram importer on real posts of two layouts (2022 content/, 2025 media/), real 2022
comments and an Italian personal_information.json, all with Meta's mojibake."""

import base64
import json
import shutil
import zipfile

import pytest

from auditor.engine import open_source
from auditor.model import two_factor_status
from auditor.plugins import discover
from auditor.sources.meta_text import fix, fix_all

from conftest import DATA, run_cli

REAL = DATA / "instagram"


def read(path):
    imp = open_source(path, discover())
    return imp, list(imp.posts)


def layout_2022(tmp_path):
    root = tmp_path / "instagram-fakeusername-2022"
    (root / "content").mkdir(parents=True)
    (root / "comments").mkdir()
    (root / "account_information").mkdir()
    shutil.copy(REAL / "content" / "posts_1.json", root / "content")
    shutil.copy(REAL / "content" / "archived_posts.json", root / "content")
    shutil.copy(REAL / "comments" / "post_comments.json", root / "comments")
    shutil.copy(REAL / "personal_information.json", root / "account_information")
    return root


def layout_2025(tmp_path):
    root = tmp_path / "instagram-2025"
    media = root / "your_instagram_activity" / "media"
    media.mkdir(parents=True)
    shutil.copy(REAL / "your_instagram_activity" / "media" / "posts_1.json", media)
    shutil.copy(REAL / "test_image" / "posts.json", media / "posts_2.json")
    return root


def test_mojibake_is_repaired():
    assert fix("Prova con Terry e\u00c3\u00a0") == "Prova con Terry e\u00e0"
    assert fix("\u00f0\u009f\u0098\u0082") == "\U0001f602"
    assert fix("caf\u00e9 \u2603") == "caf\u00e9 \u2603"  # a real non-Latin-1 character: kept
    assert fix_all({"Ungef\u00c3\u00a4hr": ["\u00c3\u00a9"]}) == {"Ungef\u00e4hr": ["\u00e9"]}


def test_2022_layout_posts_archived_comments_and_privacy(tmp_path):
    imp, posts = read(layout_2022(tmp_path))
    assert (imp.platform, imp.layout) == ("instagram", "instagram-2022")
    own = [p for p in posts if p.kind == "post"]
    comments = [p for p in posts if p.kind == "comment"]
    assert len(own) == 7 and sum(p.visibility == "archived" for p in own) == 2
    assert own[0].text == "Il sole d'estate"
    assert own[0].created_at.isoformat() == "2021-11-23T07:21:02+00:00"
    assert own[4].text == "\u2764\ufe0f\nS\u00ec\u00e8 sempre al lavoro"  # repaired mojibake
    assert len(comments) == 3
    assert comments[0].text == "Prova con Terry e\u00e0... \u00e8 spiazzante"
    assert comments[0].reply_to == "la_somma_e_il_totale"
    (account, security) = next(iter(imp.accounts.values()))
    assert account.key == "instagram:fakeUsername\U0001f602"
    assert security.private is True  # "Account privato": "True", an Italian export
    assert security.emails == ("fake.email@gmail.com",)
    assert imp.errors == []


def test_2025_layout_carousel_and_single_image_captions(tmp_path):
    imp, posts = read(layout_2025(tmp_path))
    assert imp.layout == "instagram-2025"
    assert len(posts) == 2
    carousel = posts[0]
    assert carousel.text.startswith("What an incredible weekend day trip")
    assert carousel.has_media
    assert posts[1].text == "A great rainy day lunch\n#italiansub"  # top-level title
    assert any("personal_information.json" in e.message for e in imp.errors)


def test_scan_of_a_zipped_export(tmp_path):
    root = layout_2022(tmp_path)
    target = tmp_path / "instagram.zip"
    with zipfile.ZipFile(target, "w") as z:
        for f in root.rglob("*.json"):
            z.write(f, f.relative_to(root).as_posix())
    proc = run_cli("scan", target, "-f", "json", "-q", cwd=tmp_path)
    doc = json.loads(proc.stdout)
    account = doc["accounts"][0]
    assert (account["posts_scanned"], account["comments_scanned"]) == (7, 3)
    assert account["private"] is True


def test_threads_inside_the_instagram_export(tmp_path):
    root = layout_2022(tmp_path)
    threads = root / "your_instagram_activity" / "threads"
    threads.mkdir(parents=True)
    record = {
        "media": [
            {
                "uri": "",
                "creation_timestamp": 1700000000,
                "title": "Caff\u00c3\u00a8 before clinic today \u00e2\u0098\u0095",
                "text_app_post": {"reply_control": "everyone", "is_reply": False},
            }
        ]
    }
    (threads / "threads_and_replies.json").write_text(
        json.dumps({"text_post_app_text_posts": [record, record]}, indent=2)
    )
    imp, posts = read(root)
    thread_posts = [p for p in posts if p.platform == "threads"]
    assert (
        len(thread_posts) == 2 and thread_posts[0].text == "Caff\u00e8 before clinic today \u2615"
    )
    assert thread_posts[0].account == "threads:fakeUsername\U0001f602"
    assert set(imp.accounts) == {
        "instagram:fakeUsername\U0001f602",
        "threads:fakeUsername\U0001f602",
    }
    assert len({p.id for p in thread_posts}) == 2


def test_forced_through_the_wrong_importer_is_one_line(tmp_path):
    root = layout_2022(tmp_path)
    for platform in ("mastodon", "linkedin", "reddit", "x"):
        proc = run_cli("scan", root, "--platform", platform, "-q", cwd=tmp_path)
        assert proc.returncode == 2, platform
        (line,) = proc.stderr.splitlines()
        assert line.startswith("auditor: ") and f"--platform {platform}" in line
        assert "finds none of its marker files" in line


def test_direct_messages_stream_apart(tmp_path):
    root = layout_2022(tmp_path)
    inbox = root / "messages" / "inbox" / "friend_42"
    inbox.mkdir(parents=True)
    (inbox / "message_1.json").write_text(
        json.dumps(
            {
                "participants": [{"name": "friend"}, {"name": "FirstName SecondName"}],
                "messages": [
                    {
                        "sender_name": "FirstName SecondName",
                        "timestamp_ms": 1650000000000,
                        "content": "caf\u00c3\u00a9 later?",
                    },
                    {"sender_name": "friend", "timestamp_ms": 1649999999000, "content": "hey"},
                    {"sender_name": "friend", "timestamp_ms": 1649999998000, "share": {}},
                ],
            }
        )
    )
    imp, posts = read(root)
    messages = list(imp.messages)
    assert [(m.from_user, m.text) for m in messages] == [(True, "caf\u00e9 later?"), (False, "hey")]
    assert {m.conversation for m in messages} == {"friend_42"}
    assert all(m.platform == "instagram" for m in messages)
    assert not any("later" in p.text for p in posts)


def write(root, files):
    for name, value in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(value))
    return root


def test_2018_layout_posts_comments_security_and_messages(tmp_path):
    root = write(
        tmp_path / "drkim_20180601",
        {
            "profile.json": {
                "username": "drkim",
                "name": "Ana Kim",
                "email": "ana@example.com",
                "phone_number": "+15550100",
                "private_account": False,
                "date_joined": "2012-03-01T10:00:00",
            },
            "media.json": {
                "photos": [
                    {
                        "caption": "caf\u00c3\u00a9 after a night shift",
                        "taken_at": "2018-05-20T14:33:12",
                        "path": "photos/201805/abc.jpg",
                        "location": "Milano",
                    },
                    {"caption": "", "taken_at": "2018-05-21T10:00:00", "path": "photos/x.jpg"},
                ],
                "videos": [{"caption": "Run club", "taken_at": "2018-04-01T07:00:00"}],
                "stories": [{"caption": "ward party", "taken_at": "2018-03-01T20:00:00"}],
            },
            "comments.json": {
                "media_comments": [["2018-05-22T09:00:00", "Congrats!", "friend"], ["x"]],
                "live_comments": [],
            },
            "account_history.json": {
                "login_history": [
                    {"ip_address": "192.0.2.7", "timestamp": "2018-05-01T08:00:00+00:00"}
                ],
                "password_change_history": [{"timestamp": "2017-01-01T00:00:00+00:00"}],
            },
            "messages.json": [
                {
                    "participants": ["drkim", "friend"],
                    "conversation": [
                        {"sender": "friend", "created_at": "2018-05-02T10:00:00", "text": "hi"},
                        {"sender": "drkim", "created_at": "2018-05-02T10:01:00", "text": "hey"},
                        {"sender": "friend", "created_at": "2018-05-02T10:02:00", "heart": "x"},
                    ],
                }
            ],
        },
    )
    (root / "photos" / "201805").mkdir(parents=True)
    (root / "photos" / "201805" / "abc.jpg").write_bytes(b"\xff\xd8")
    imp, posts = read(root)
    assert (imp.platform, imp.layout) == ("instagram", "instagram-2018")
    own = [p for p in posts if p.kind == "post"]
    assert [p.text for p in own] == ["caf\u00e9 after a night shift", "Run club", "ward party"]
    assert own[0].media == ("photos/201805/abc.jpg",) and own[0].place == "Milano"
    assert own[0].created_at.isoformat() == "2018-05-20T14:33:12+00:00"
    comments = [p for p in posts if p.kind == "comment"]
    assert [(p.text, p.reply_to) for p in comments] == [("Congrats!", "friend")]
    (account, security) = next(iter(imp.accounts.values()))
    assert account.key == "instagram:drkim"
    assert security.private is False and security.emails == ("ana@example.com",)
    assert security.logins[0].ip == "192.0.2.7"
    assert security.account_changes[0].event == "Password change"
    messages = list(imp.messages)
    assert [(m.conversation, m.from_user, m.text) for m in messages] == [
        ("friend", False, "hi"),
        ("friend", True, "hey"),
    ]
    assert imp.errors == []


def string_map(**fields):
    return {"string_map_data": {k: v for k, v in fields.items()}}


def test_stories_reels_logins_devices_and_two_factor_in_italian(tmp_path):
    root = layout_2025(tmp_path)
    media = "your_instagram_activity/media/"
    write(
        root,
        {
            media + "stories.json": {
                "ig_stories": [
                    {"uri": "media/stories/1.jpg", "creation_timestamp": 1700000000, "title": "x"},
                    {"uri": "media/stories/2.jpg", "creation_timestamp": 1700000100, "title": ""},
                ]
            },
            media + "reels.json": {
                "ig_reels_media": [
                    {
                        "media": [
                            {
                                "uri": "media/reels/1.mp4",
                                "creation_timestamp": 1700000200,
                                "title": "Suturing demo",
                            }
                        ]
                    }
                ]
            },
            "security_and_login_information/login_and_profile_creation/login_activity.json": {
                "account_history_login_history": [
                    {
                        "title": "2024-01-02T03:04:05+00:00",
                        **string_map(
                            **{
                                "Indirizzo IP": {"value": "198.51.100.1"},
                                "Ora": {"timestamp": 1704164645},
                                "Agente utente": {"value": "Instagram 300 Android"},
                            }
                        ),
                    }
                ]
            },
            "personal_information/device_information/devices.json": {
                "devices_devices": [
                    string_map(
                        **{
                            "User Agent": {"value": "Instagram 301 iOS"},
                            "Last Login": {"timestamp": 1704000000},
                        }
                    )
                ]
            },
            "security_and_login_information/login_and_profile_creation/"
            "password_change_activity.json": {
                "account_history_password_change_history": [
                    string_map(Time={"timestamp": 1690000000})
                ]
            },
            "personal_information/device_information/two-factor_authentication.json": {
                "ig_two_factor": [
                    string_map(
                        **{
                            "Metodo": {"value": "App di autenticazione"},
                            "Stato": {"value": "Attivo"},
                        }
                    )
                ]
            },
        },
    )
    imp, posts = read(root)
    texts = [p.text for p in posts]
    assert "x" in texts and "Suturing demo" in texts and "" not in texts
    story = next(p for p in posts if p.text == "x")
    assert story.id.startswith("story:") and story.created_at.year == 2023
    (_, security) = next(iter(imp.accounts.values()))
    assert [(login.ip, login.at.isoformat()) for login in security.logins] == [
        ("198.51.100.1", "2024-01-02T03:04:05+00:00")
    ]
    assert security.sessions[0].client == "Instagram 301 iOS"
    assert security.sessions[0].last_seen_at.year == 2023
    assert security.account_changes[0].at.year == 2023
    status = two_factor_status(security)
    assert status.status == "enabled" and status.methods == ("totp",)


@pytest.mark.parametrize(
    ("record", "status"),
    [
        ({"Status": {"value": "Disabled"}}, "disabled"),
        ({"Method": {"value": "Text message"}}, "sms"),
        ({"Stato": {"value": "Boh"}}, "unknown"),
    ],
)
def test_two_factor_file_shapes(tmp_path, record, status):
    root = layout_2025(tmp_path)
    write(
        root,
        {
            "personal_information/device_information/two-factor_authentication.json": {
                "ig_two_factor": [string_map(**record)]
            }
        },
    )
    imp, _ = read(root)
    (_, security) = next(iter(imp.accounts.values()))
    assert two_factor_status(security).status == status


def test_no_two_factor_file_is_unknown_and_listed(tmp_path):
    imp, _ = read(layout_2025(tmp_path))
    (_, security) = next(iter(imp.accounts.values()))
    assert two_factor_status(security).status == "unknown"
    assert "two-factor_authentication.json" in imp.files_missing


def test_an_instagram_authenticator_entry_protects_threads_too(tmp_path):
    root = layout_2022(tmp_path)
    threads = root / "your_instagram_activity" / "threads"
    threads.mkdir(parents=True)
    record = {"media": [{"uri": "", "creation_timestamp": 1700000000, "title": "Coffee"}]}
    (threads / "threads_and_replies.json").write_text(
        json.dumps({"text_post_app_text_posts": [record]})
    )
    secret = base64.b32encode(b"0123456789abcdefghij").decode()
    aegis = tmp_path / "aegis.json"
    aegis.write_text(
        json.dumps(
            {
                "version": 1,
                "header": {"slots": None, "params": None},
                "db": {
                    "version": 2,
                    "entries": [
                        {
                            "type": "totp",
                            "uuid": "1",
                            "name": "maya.runs",
                            "issuer": "Instagram",
                            "info": {"secret": secret, "algo": "SHA1", "digits": 6, "period": 30},
                        }
                    ],
                },
            }
        )
    )
    proc = run_cli("scan", root, "--authenticator", aegis, "-f", "json", "--fail-on", "none")
    doc = json.loads(proc.stdout)
    status = {a["platform"]: a["two_factor"]["status"] for a in doc["accounts"]}
    # one login, one second factor: Threads signs in with the Instagram account
    assert status == {"instagram": "enabled", "threads": "enabled"}
    [cred] = doc["coverage"]["credentials"]
    assert cred["platforms"] == ["instagram", "threads"]
    # Threads keeps its own privacy: Instagram's private flag is not Threads'
    private = {a["platform"]: a["private"] for a in doc["accounts"]}
    assert private == {"instagram": True, "threads": None}
