"""The second process that scans which recognisers occur (auditor/text/worker.py): the same
findings as scanning in-process, in the same order, and a worker that dies costs nothing but
speed."""

import json
import random

import pytest

from auditor import config, engine
from auditor.plugins import discover
from auditor.text import worker
from auditor.text.analysis import default_analyser

pytestmark = pytest.mark.skipif(not worker.AVAILABLE, reason="the worker forks (Linux)")

TEXTS = [
    "Saw a 67-year-old in the ED tonight who fell off a ladder. Some nights are unreal.",
    "Mr K. in bed 4 keeps asking for his wife. Broke my heart this morning.",
    "Sourdough attempt number four. The starter is alive, the loaf is not.",
    "Our practice opens at 8am on Saturdays from next week.",
    "Kids are at Hollins Lane Primary, Poppy in Year 1, pick-up at 3:15 every day",
    "@kerry_b sounds like a UTI, get a urine sample to your GP and drink plenty of water",
]


def archive(tmp_path, n):
    rng = random.Random(n)
    path = tmp_path / f"posts-{n}.jsonl"
    with path.open("w") as f:
        for i in range(n):
            post = {"id": str(i), "text": f"{rng.choice(TEXTS)} #{i}"}
            post["created_at"] = f"2024-01-{1 + i % 28:02d}T10:00:00Z"
            f.write(json.dumps(post) + "\n")
    return path


def audit(path, parallel, seen=None):
    def on_post(post, fired, domain):
        if seen is not None:
            seen.append((post.id, tuple(fired), domain))

    return engine.run([path], config.Config(), discover(), parallel=parallel, on_post=on_post)


def summary(result):
    return [(f.check, f.subject, f.severity, f.title) for f in result.findings]


def test_same_findings_in_the_same_order_with_and_without_a_worker(tmp_path, monkeypatch):
    started = []
    real = worker.KindsWorker

    def counting(analyser, wants_spans):
        started.append(analyser)
        return real(analyser, wants_spans)

    monkeypatch.setattr(engine, "KindsWorker", counting)
    path = archive(tmp_path, 3 * engine.BATCH + 17)
    alone, together = [], []
    a = audit(path, parallel=False, seen=alone)
    assert not started
    b = audit(path, parallel=True, seen=together)
    assert len(started) == 1
    assert alone == together and len(alone) == 3 * engine.BATCH + 17
    assert summary(a) == summary(b) and a.findings


def test_one_batch_starts_no_worker(tmp_path, monkeypatch):
    monkeypatch.setattr(engine, "KindsWorker", lambda *a: pytest.fail("started"))
    audit(archive(tmp_path, engine.BATCH), parallel=True)


def test_a_worker_that_dies_mid_audit_costs_nothing_but_speed(tmp_path, monkeypatch):
    class Dying(worker.KindsWorker):
        answered = 0

        def result(self):
            if Dying.answered == 1:
                self._proc.kill()
                self._proc.join()
            Dying.answered += 1
            return super().result()

    monkeypatch.setattr(engine, "KindsWorker", Dying)
    path = archive(tmp_path, 5 * engine.BATCH)
    expected = summary(audit(path, parallel=False))
    assert summary(audit(path, parallel=True)) == expected
    assert Dying.answered >= 2


def test_the_worker_answers_what_the_analyser_would(tmp_path):
    analyser = default_analyser()
    w = worker.KindsWorker(analyser)
    try:
        w.submit(TEXTS)
        w.submit(TEXTS[::-1])
        assert w.in_flight == 2
        assert w.result() == (analyser.occurring(TEXTS), [None] * len(TEXTS))
        assert w.result()[0] == analyser.occurring(TEXTS[::-1])
    finally:
        w.close()
    assert not w._proc.is_alive()


def test_spans_found_ahead_are_the_spans_found_later():
    analyser = default_analyser()
    w = worker.KindsWorker(analyser, lambda kinds: "age" in kinds)
    try:
        w.submit(TEXTS)
        found, spans = w.result()
    finally:
        w.close()
    ahead = analyser.analyses(TEXTS, found, spans)
    later = analyser.analyse_many(TEXTS)
    assert [s is not None for s in spans] == ["age" in a.kinds for a in later]
    assert ahead == later


def test_a_worker_that_cannot_start_leaves_the_audit_whole(tmp_path, monkeypatch):
    def refuse(*args):
        raise OSError("fork: Resource temporarily unavailable")

    monkeypatch.setattr(engine, "KindsWorker", refuse)
    path = archive(tmp_path, 3 * engine.BATCH)
    result = audit(path, parallel=True)
    assert summary(result) == summary(audit(path, parallel=False))
    assert not any(c.errors for c in result.coverage)


def test_threads_are_judged_alike_with_a_worker(tmp_path):
    thread = [
        "1/ A long night. Spent most of it with one lady who came in after a fall at home.",
        "2/ 94 years old, up on ward 7 at Lakeview General, correcting my grammar at 3am.",
        "3/ She says she will be dancing again by the summer. What a legend.",
    ]
    path = tmp_path / "threads.jsonl"
    with path.open("w") as f:
        for run in range(3 * engine.BATCH // 4):
            for i, text in enumerate(thread):
                post = {"id": f"{run}-{i}", "text": text, "created_at": "2024-01-01T00:00:00Z"}
                if i:
                    post["reply_to_id"] = f"{run}-{i - 1}"
                f.write(json.dumps(post) + "\n")
    alone, together = audit(path, parallel=False), audit(path, parallel=True)
    threads = [f for f in together.findings if f.subject.startswith("thread:")]
    assert len(threads) == 3 * engine.BATCH // 4
    assert summary(alone) == summary(together)
