"""The LinkedIn importer on a real export's Shares.csv and Comments.csv and mock security files."""

import json
import shutil
import zipfile

from auditor.engine import open_source
from auditor.plugins import discover

from conftest import DATA, run_cli

REAL = DATA / "linkedin"


def read(path):
    imp = open_source(path, discover())
    return imp, list(imp.posts)


def test_shares_comments_and_security_files():
    imp, posts = read(REAL)
    assert (imp.platform, imp.layout) == ("linkedin", "linkedin-complete")
    shares = [p for p in posts if p.kind == "post"]
    comments = [p for p in posts if p.kind == "comment"]
    assert len(shares) == 60  # 64 rows: one post spans 5 rows, one per media URL
    assert sum(p.is_repost for p in shares) == 13  # bare reshares carry no words
    assert len(comments) == 30 and len({p.id for p in comments}) == 30
    first = shares[0]
    assert first.id == "urn:li:share:6976408425404518400"
    assert first.created_at.isoformat() == "2022-09-16T05:16:24+00:00"
    assert first.visibility == "connections"  # MEMBER_NETWORK
    # the doubled quotes around each line of a multi-line post are gone
    assert first.text.startswith("I built an internal app that nudges people")
    assert '\nA colleague replied, "... this is really helpful for improving hobbits".\n' in (
        first.text
    )
    assert '""' not in first.text
    escaped = next(p for p in comments if "Challenge my assumptions" in p.text)
    assert '"Challenge my assumptions,' in escaped.text and '\\"' not in escaped.text
    (account, security) = next(iter(imp.accounts.values()))
    assert account.key == "linkedin:Davide Mock"
    assert security.emails == ("davide.mock@gmail.com",)
    assert security.connections == 2  # the Notes: preamble is not a connection
    assert [login.kind for login in security.logins] == [
        "login",
        "login",
        "NATIVE_CAPTCHA_CHALLENGE",
        "PIN_CHALLENGE",
    ]
    assert security.logins[2].country == "France"
    assert imp.errors == []


def test_zip_with_member_id_suffixes_and_a_folder_inside(tmp_path):
    target = tmp_path / "Complete_LinkedInDataExport_07-15-2025.zip"
    with zipfile.ZipFile(target, "w") as z:
        for f in REAL.glob("*.csv"):
            name = f.name.replace("Shares.csv", "Shares_12345.csv")
            z.write(f, f"Complete_LinkedInDataExport/{name}")
    _, posts = read(target)
    assert sum(1 for p in posts if p.kind == "post") == 60


def test_scan_counts_comments_apart(tmp_path):
    proc = run_cli("scan", REAL, "-f", "json", "-q", cwd=tmp_path)
    doc = json.loads(proc.stdout)
    account = doc["accounts"][0]
    assert (account["posts_scanned"], account["comments_scanned"]) == (47, 30)
    assert doc["summary"]["comments_scanned"] == 30


def test_basic_export_without_shares_says_so(tmp_path):
    folder = tmp_path / "basic"
    folder.mkdir()
    for name in ("Profile.csv", "Logins.csv", "Email Addresses.csv"):
        shutil.copy(REAL / name, folder / name)
    imp, posts = read(folder)
    assert imp.layout == "linkedin-basic" and posts == []
    assert imp.files_missing == ["Shares.csv", "messages.csv"]
    assert "no posts could be read" in imp.errors[0].message


def test_broken_csv_is_one_error_and_the_rest_is_read(tmp_path):
    folder = tmp_path / "broken"
    shutil.copytree(REAL, folder)
    (folder / "Comments.csv").write_text('Date,Link,Message\n2025-01-01 00:00:00,x,"open quote\n')
    imp, posts = read(folder)
    assert sum(1 for p in posts if p.kind == "post") == 60
    assert any("Comments.csv" in e.file for e in imp.errors) or all(p.kind == "post" for p in posts)


def test_messages_stream_apart(tmp_path):
    root = tmp_path / "export"
    shutil.copytree(REAL, root)
    (root / "messages.csv").write_text(
        "CONVERSATION ID,CONVERSATION TITLE,FROM,SENDER PROFILE URL,TO,DATE,SUBJECT,CONTENT,"
        "FOLDER\n"
        "2-abc,,Jo Recruiter,https://www.linkedin.com/in/jo,Davide Mock,"
        '2023-05-10 14:02:33 UTC,Role,"Hi Davide,\nare you open to offers?",INBOX\n'
        "2-abc,,Davide Mock,https://www.linkedin.com/in/davide,Jo Recruiter,"
        "2023-05-10 15:00:00 UTC,,Not right now,INBOX\n"
        "2-def,,Jo Recruiter,https://www.linkedin.com/in/jo,Davide Mock,"
        "2023-05-11 09:00:00 UTC,,,INBOX\n",
        encoding="utf-8",
    )
    imp, posts = read(root)
    messages = list(imp.messages)
    assert [(m.conversation, m.from_user) for m in messages] == [("2-abc", False), ("2-abc", True)]
    assert messages[0].text == "Hi Davide,\nare you open to offers?"
    assert messages[1].sent_at.isoformat() == "2023-05-10T15:00:00+00:00"
    assert len(posts) == 90 and "messages.csv" not in imp.files_missing


def test_export_without_messages_lists_them_missing(tmp_path):
    imp, _ = read(REAL)
    assert list(imp.messages) == [] and "messages.csv" in imp.files_missing
