"""Threads judged as one text: identifiers spread over a run of self-replies, in either export
order, with bounded memory."""

import json
from datetime import UTC, datetime

from auditor import engine
from auditor.config import Config
from auditor.model import Post
from auditor.plugins import discover
from auditor.threads import ThreadWindow

THREAD = [
    {
        "id": "1",
        "text": "1/ A long night. Spent most of it with one lady who came in after a fall at home.",
        "created_at": "2024-03-01T02:00:00Z",
        "url": "https://x.test/1",
    },
    {
        "id": "2",
        "text": "2/ 94 years old, up on ward 7 at Lakeview General, correcting my grammar at 3am.",
        "created_at": "2024-03-01T02:01:00Z",
        "reply_to_id": "1",
        "url": "https://x.test/2",
    },
    {
        "id": "3",
        "text": "3/ She says she will be dancing again by the summer. What a legend.",
        "created_at": "2024-03-01T02:02:00Z",
        "reply_to_id": "2",
        "url": "https://x.test/3",
    },
    {"id": "4", "text": "The new coffee machine in the staff room is a triumph."},
]


def scan(tmp_path, rows):
    path = tmp_path / "posts.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    return engine.run([path], Config(), discover())


def test_identifiers_spread_over_a_thread_identify(tmp_path):
    for rows in (THREAD, THREAD[::-1]):  # oldest first and newest first
        result = scan(tmp_path, rows)
        by_check = {f.check: f for f in result.findings}
        # alone, only the first post is an encounter, with nothing identifying
        assert by_check["content.patient-encounter"].subject == "1"
        f = by_check["content.patient-identifiers"]
        assert f.subject == "thread:1" and f.post.id == "1"
        assert f.title.startswith("Thread of 3 posts from 2024-03-01 describes a specific patient")
        kinds = {e.kind for e in f.evidence}
        assert {"age", "unit", "facility", "time"} <= kinds
        listed = [e.label for e in f.evidence if e.kind == "thread_post"]
        assert listed == [f"post {i} of 3: https://x.test/{i}" for i in (1, 2, 3)]


def test_a_check_that_fired_on_a_post_is_not_repeated_for_its_thread(tmp_path):
    rows = [dict(r) for r in THREAD]
    rows[1]["text"] = "2/ Discharged Mr Alvarez today, 82, from bed 4 at Lakeview General."
    result = scan(tmp_path, rows)
    subjects = [f.subject for f in result.findings if f.check == "content.patient-identifiers"]
    assert subjects == ["2"]


def test_replies_to_other_accounts_posts_are_no_thread(tmp_path):
    rows = [dict(r) for r in THREAD]
    rows[2]["reply_to_id"] = "999"  # someone else's post
    rows[1]["reply_to_id"] = "998"
    result = scan(tmp_path, rows)
    assert not [f for f in result.findings if f.subject.startswith("thread:")]


def post(pid, parent=None, account="x:me"):
    return Post(pid, f"text {pid}", account, datetime(2024, 1, 1, tzinfo=UTC), reply_to_id=parent)


def test_window_finishes_a_thread_once_its_posts_have_left_it():
    w = ThreadWindow(window=3)
    assert list(w.add(post("a"), [])) == []
    assert list(w.add(post("b", "a"), ["content.x"])) == []
    done = []
    for pid in ("c", "d", "e", "f"):
        done += w.add(post(pid), [])
    (thread,) = done
    assert [p.id for p in thread.posts] == ["a", "b"] and thread.fired == {"content.x"}
    assert list(w.flush()) == []


def test_window_links_a_reply_met_before_its_parent_and_forgets_unmet_parents():
    w = ThreadWindow(window=4)
    list(w.add(post("c", "b"), []))
    list(w.add(post("b", "a"), []))
    list(w.add(post("a"), []))
    list(w.add(post("z", "gone"), []))  # its parent never comes
    list(w.add(post("q", "b", account="x:other"), []))  # another account: no link
    (thread,) = list(w.flush())
    assert sorted(p.id for p in thread.posts) == ["a", "b", "c"]
    for n in range(10):
        list(w.add(post(f"r{n}", f"elsewhere{n}"), []))
    assert len(w._waiting) <= 4  # replies to unseen posts leave with their posts
