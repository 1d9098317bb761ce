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
