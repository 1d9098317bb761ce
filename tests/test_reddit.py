"""The Reddit importer on an export built from the documented CSV shapes (no public sample)."""

import json

from auditor.engine import open_source
from auditor.plugins import discover

from conftest import run_cli

FILES = {
    "posts.csv": (
        "id,permalink,date,ip,subreddit,gildings,title,url,body\n"
        "p1,/r/medicine/comments/p1/night_shift/,2024-01-02 03:04:05 UTC,192.0.2.1,medicine,0,"
        '"Night shift thoughts","","Saw a 67-year-old in the ED tonight, ""stable"" now.\n'
        'Second line."\n'
        "p2,/r/running/comments/p2/pr/,2024-02-01 10:00:00 UTC,,running,0,New PR,"
        "https://i.redd.it/x.jpg,\n"
        "p3,/r/x/comments/p3/gone/,2024-03-01 10:00:00 UTC,,x,0,[deleted],,[deleted]\n"
    ),
    "comments.csv": (
        "id,permalink,date,ip,subreddit,gildings,link,parent,body,media\n"
        "c1,/r/medicine/comments/p9/x/c1/,2024-01-03 00:00:00 UTC,,medicine,0,"
        "https://www.reddit.com/r/medicine/comments/p9/,t3_p9,Agreed with the OP,\n"
        "c2,/r/medicine/comments/p9/x/c2/,2024-01-04 00:00:00 UTC,,medicine,0,x,t1_c1,[removed],\n"
    ),
    "ip_logs.csv": "date,ip\n2024-01-01 00:00:00 UTC,192.0.2.1\nregistration ip,198.51.100.7\n",
    "linked_identities.csv": "issuer_id,subject_id\nhttps://accounts.google.com,12345\n",
    "statistics.csv": "statistic,value\naccount name,dr_throwaway\nemail,dr@example.com\n",
    "user_preferences.csv": "preference,value\nshow_presence,true\nallow_clicktracking,false\n",
    "post_votes.csv": "id,permalink,direction\nv1,/r/x/comments/v1/,up\n",
}


def export(tmp_path):
    root = tmp_path / "reddit-export"
    root.mkdir()
    for name, text in FILES.items():
        (root / name).write_text(text, encoding="utf-8")
    return root


def test_posts_comments_and_security(tmp_path):
    imp = open_source(export(tmp_path), discover())
    posts = list(imp.posts)
    assert (imp.platform, imp.layout) == ("reddit", "reddit-csv")
    own = [p for p in posts if p.kind == "post"]
    comments = [p for p in posts if p.kind == "comment"]
    assert [p.id for p in own] == ["p1", "p2"]  # the deleted post has no words left
    assert (
        own[0].text
        == 'Night shift thoughts\nSaw a 67-year-old in the ED tonight, "stable" now.\nSecond line.'
    )
    assert own[0].url == "https://www.reddit.com/r/medicine/comments/p1/night_shift/"
    assert own[0].created_at.isoformat() == "2024-01-02T03:04:05+00:00"
    assert own[1].has_media
    assert [p.id for p in comments] == ["c1"]  # [removed] is skipped
    (account, security) = next(iter(imp.accounts.values()))
    assert account.key == "reddit:dr_throwaway"
    assert security.emails == ("dr@example.com",)
    assert len(security.logins) == 2 and security.logins[0].ip == "192.0.2.1"
    settings = {s.name: s.value for s in security.settings}
    assert settings["show_presence"] == "true"
    assert settings["linked_identity"] == "https://accounts.google.com"
    assert imp.errors == []


def test_scan_flags_the_patient_post(tmp_path):
    proc = run_cli("scan", export(tmp_path), "-f", "json", "-q", cwd=tmp_path)
    doc = json.loads(proc.stdout)
    account = doc["accounts"][0]
    assert (account["posts_scanned"], account["comments_scanned"]) == (2, 1)
    flagged = [
        f["post"]["id"] for f in doc["findings"] if f["check"] == "content.patient-identifiers"
    ]
    assert flagged == ["p1"]


def test_private_messages_and_chat_stream_apart(tmp_path):
    root = export(tmp_path)
    (root / "messages.csv").write_text(
        "id,permalink,thread_id,date,ip,from,to,subject,body\n"
        "m1,/message/messages/m1,t1,2024-01-05 10:00:00 UTC,,someone,dr_throwaway,"
        "my scan,Can you look at my MRI?\n"
        "m2,/message/messages/m2,t1,2024-01-05 11:00:00 UTC,,dr_throwaway,someone,"
        "re: my scan,I can't advise you here\n"
        "m3,/message/messages/m3,,2024-01-06 11:00:00 UTC,,someone,dr_throwaway,x,[deleted]\n",
        encoding="utf-8",
    )
    (root / "chat_history.csv").write_text(
        "message_id,created_at,updated_at,username,message,thread_parent_message_id,"
        "channel_url,subreddit,channel_name,conversation_type\n"
        "c1,2024-02-01 09:00:00 UTC,,dr_throwaway,see you at the conference,,"
        "sendbird_group_channel_1,,,direct\n",
        encoding="utf-8",
    )
    imp = open_source(root, discover())
    posts = list(imp.posts)
    messages = list(imp.messages)
    assert len(posts) == 3  # unchanged: no message is a post
    assert [(m.conversation, m.from_user, m.text) for m in messages] == [
        ("t1", False, "my scan\nCan you look at my MRI?"),
        ("t1", True, "re: my scan\nI can't advise you here"),
        ("sendbird_group_channel_1", True, "see you at the conference"),
    ]
    assert messages[2].sent_at.isoformat() == "2024-02-01T09:00:00+00:00"
    proc = run_cli("scan", root, "-f", "json", "-q", cwd=tmp_path)
    assert json.loads(proc.stdout)["accounts"][0]["messages_scanned"] == 3
