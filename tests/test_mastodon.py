"""The Mastodon importer on two real archives: the 2022 tar.gz and the 2023 zip generations."""

import io
import json
import shutil
import tarfile
import zipfile
from collections import Counter
from importlib import resources

import jsonschema
import pytest

from auditor.engine import open_source
from auditor.plugins import discover

from conftest import DATA, run_cli

REAL = DATA / "mastodon"


def read(path):
    imp = open_source(path, discover())
    return imp, list(imp.posts)


def make_tar(folder, target):
    with tarfile.open(target, "w:gz") as tar:
        for f in sorted(folder.iterdir()):
            tar.add(f, arcname=f"./{f.name}")
    return target


def make_zip(folder, target):
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as z:
        for f in sorted(folder.iterdir()):
            z.write(f, f.name)
    return target


@pytest.fixture
def old_tar(tmp_path):
    return make_tar(REAL / "export-2022-targz", tmp_path / "archive-20221218.tar.gz")


@pytest.fixture
def new_zip(tmp_path):
    return make_zip(REAL / "export-2023-zip", tmp_path / "archive-20230720.zip")


def test_2022_tar_gz_posts_visibility_and_boosts(old_tar):
    imp, posts = read(old_tar)
    assert (imp.platform, imp.layout) == ("mastodon", "mastodon-tar")
    own = [p for p in posts if not p.is_repost]
    assert len(own) == 189  # 190 notes, less the one direct message
    assert sum(p.is_repost for p in posts) == 34  # boosts: not the user's words
    assert Counter(p.visibility for p in own) == {"public": 184, "unlisted": 2, "followers": 3}
    assert sum(1 for p in own if p.content_warning) == 6
    assert sum(1 for p in own if p.has_media) == 8
    assert not any("<" in p.text for p in own)  # HTML became text
    first = own[0]
    assert first.id == "55864" and first.text == "Hello world!"
    assert first.url == "https://mastodon.social/@lmorchard/55864"
    assert first.created_at.isoformat() == "2016-11-01T19:18:43+00:00"
    (account, security) = next(iter(imp.accounts.values()))
    assert account.key == "mastodon:lmorchard@mastodon.social"
    settings = {s.name: s.value for s in security.settings}
    assert settings == {"manuallyApprovesFollowers": False, "discoverable": False, "bot": False}
    assert imp.errors == []


def test_2023_zip_and_its_folder_read_the_same(new_zip):
    imp, posts = read(new_zip)
    assert imp.layout == "mastodon-zip" and len(posts) == 18
    assert all(p.visibility == "public" for p in posts)
    assert sum(1 for p in posts if p.has_media) == 1
    self_replies = [p for p in posts if p.reply_to == "lmorchard@toot.lmorchard.com"]
    assert len(self_replies) == 3 and sum(1 for p in posts if p.reply_to) == 4
    ids = {p.id for p in posts}
    assert all(p.reply_to_id in ids for p in self_replies)  # the status answered, by its id
    _, from_folder = read(REAL / "export-2023-zip")
    assert [(p.id, p.text) for p in from_folder] == [(p.id, p.text) for p in posts]


def test_the_direct_message_is_never_a_post(old_tar):
    outbox = json.loads((REAL / "export-2022-targz" / "outbox.json").read_text())
    direct = [
        a
        for a in outbox["orderedItems"]
        if a["type"] == "Create"
        and not any(x.endswith(("#Public", "/followers")) for x in a["to"] + a["cc"])
    ]
    assert len(direct) == 1
    imp, posts = read(old_tar)
    assert direct[0]["object"]["id"].rsplit("/", 1)[-1] not in {p.id for p in posts}
    messages = list(imp.messages)  # the direct note streams as a message instead
    assert len(messages) == 1
    note = direct[0]["object"]
    assert messages[0].from_user and messages[0].platform == "mastodon"
    assert messages[0].conversation == (
        note.get("conversation") or " ".join(sorted(direct[0]["to"] + direct[0]["cc"]))
    )
    assert messages[0].sent_at.isoformat()[:19] == note["published"][:19]
    assert messages[0].text


def test_no_second_read_without_direct_notes(new_zip):
    imp, _ = read(new_zip)
    assert list(imp.messages) == []


def test_scan_reports_the_account(new_zip, tmp_path):
    proc = run_cli("scan", new_zip, "-f", "json", "-q", cwd=tmp_path)
    doc = json.loads(proc.stdout)
    assert doc["accounts"][0]["key"] == "mastodon:lmorchard@toot.lmorchard.com"
    assert doc["accounts"][0]["posts_scanned"] == 18
    assert doc["coverage"]["sources"][0]["layout"] == "mastodon-zip"
    tfa = doc["accounts"][0]["two_factor"]
    assert tfa["status"] == "unknown" and "does not show" in tfa["evidence"][0]
    schema = json.loads((resources.files("auditor.reports") / "report.schema.json").read_text())
    jsonschema.validate(doc, schema)


def test_truncated_outbox_keeps_the_statuses_before_the_cut(tmp_path):
    folder = tmp_path / "cut"
    shutil.copytree(REAL / "export-2023-zip", folder)
    data = (folder / "outbox.json").read_bytes()
    (folder / "outbox.json").write_bytes(data[: len(data) // 2])
    imp, posts = read(folder)
    assert 0 < len(posts) < 18
    assert len(imp.errors) == 1 and "outbox.json" in imp.errors[0].file


def test_missing_actor_is_not_mastodon_and_corrupt_tar_is_one_line(tmp_path):
    folder = tmp_path / "no-actor"
    folder.mkdir()
    shutil.copy(REAL / "export-2023-zip" / "outbox.json", folder)
    proc = run_cli("scan", folder, "-q", cwd=tmp_path)
    assert proc.returncode == 2 and "not a recognised export" in proc.stderr
    bad = tmp_path / "archive.tar.gz"
    bad.write_bytes(b"\x1f\x8b\x08\x00garbage" * 10)
    proc = run_cli("scan", bad, "-q", cwd=tmp_path)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert proc.stderr.startswith("auditor: ") and "archive.tar.gz" in proc.stderr


def test_tar_member_leaving_the_archive_is_skipped(tmp_path):
    target = tmp_path / "evil.tar.gz"
    with tarfile.open(target, "w:gz") as tar:
        for name in ("outbox.json", "actor.json"):
            tar.add(REAL / "export-2023-zip" / name, arcname=name)
        payload = b"owned"
        info = tarfile.TarInfo("../evil.txt")
        info.size = len(payload)
        tar.addfile(info, io.BytesIO(payload))
    imp, posts = read(target)
    assert len(posts) == 18
    assert any("leaves the archive" in e.message for e in imp.errors)
    assert not (tmp_path.parent / "evil.txt").exists()
