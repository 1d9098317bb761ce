import json

from auditor.engine import open_source
from auditor.plugins import discover

from conftest import ROOT


def read(path):
    imp = open_source(path, discover())
    return imp, list(imp.posts)


def test_jsonl_with_extra_keys(tmp_path):
    path = tmp_path / "corpus.jsonl"
    rows = [
        {
            "id": "d-1",
            "platform": "linkedin",
            "account_role": "professional",
            "created_at": "2021-06-18T09:00:00Z",
            "reply_to": "@sam",
            "text": "Hello",
            "has_media": True,
            "labels": {"phi": False},
            "why": "ignored",
        },
        {"id": 2, "text": "Minimal"},
    ]
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n\n")
    imp, posts = read(path)
    assert imp.platform == "posts" and imp.layout == "jsonl"
    a, b = posts
    assert (a.id, a.reply_to, a.has_media, a.role, a.platform) == (
        "d-1",
        "sam",
        True,
        "professional",
        "linkedin",
    )
    assert a.created_at.isoformat() == "2021-06-18T09:00:00+00:00"
    assert a.account == "linkedin:corpus" and b.account == "unknown:corpus"
    assert b.id == "2" and b.created_at is None
    assert set(imp.accounts) == {"linkedin:corpus", "unknown:corpus"}


def test_csv_and_jsonl_examples_agree():
    _, from_csv = read(ROOT / "examples" / "posts.csv")
    _, from_jsonl = read(ROOT / "examples" / "posts.jsonl")
    assert len(from_csv) == 8
    strip = lambda ps: [(p.id, p.text, p.created_at, p.reply_to, p.has_media) for p in ps]  # noqa: E731
    assert strip(from_csv) == strip(from_jsonl)


def test_csv_multiline_text_and_unknown_columns(tmp_path):
    path = tmp_path / "posts.csv"
    path.write_text(
        '\ufeffid,text,likes,has_media\n1,"line one\nline two, with comma",5,yes\n2,plain,0,0\n',
        encoding="utf-8",
    )
    _, posts = read(path)
    assert posts[0].text == "line one\nline two, with comma" and posts[0].has_media
    assert not posts[1].has_media


def test_json_array(tmp_path):
    path = tmp_path / "posts.json"
    path.write_text(json.dumps([{"id": "a", "text": "x"}, {"id": "b", "text": "y"}], indent=2))
    _, posts = read(path)
    assert [p.id for p in posts] == ["a", "b"]


def test_row_without_text_is_skipped_and_named(tmp_path):
    path = tmp_path / "posts.jsonl"
    path.write_text('{"id": "1", "text": "ok"}\n{"id": "2"}\n{"id": "3", "text": "ok"}\n')
    imp, posts = read(path)
    assert [p.id for p in posts] == ["1", "3"]
    assert len(imp.errors) == 1 and "line 2" in imp.errors[0].message
