"""The audit history: what is recorded (never post text, ids or URLs) and what changed
between two audits: new, still open, resolved, and reopened after a mute's expiry."""

import csv
import io
import json
import stat
from datetime import date, timedelta

from auditor.history import History


def doc(at, open_=(), muted=()):
    def finding(fp):
        return {
            "fingerprint": fp,
            "check": f"content.check-{fp}",
            "severity": "high",
            "account": "x:DrMayaOkafor",
            "post": {"id": "799834951951323136", "url": "https://x.com/p/1"},
            "title": "Post from 2016-11-19 mentions a 91-year-old patient",
        }

    return {
        "generated_at": at,
        "accounts": [{"key": "x:DrMayaOkafor"}],
        "findings": [finding(fp) for fp in open_],
        "muted": [finding(fp) for fp in muted],
        "summary": {"findings": len(open_), "muted": len(muted)},
    }


def fps(items):
    return [s.fingerprint for s in items]


def test_changes_between_audits_and_nothing_but_fingerprints_kept(tmp_path):
    path = tmp_path / "history.sqlite"
    history = History(path)
    first = history.record(doc("2026-10-01T08:00:00Z", open_=("a", "b", "c"), muted=("m",)), "scan")
    second = history.record(doc("2026-11-01T08:00:00Z", open_=("a", "d"), muted=("m",)), "audit")
    # the mute of "m" expired; "b" came back after a month away
    third = history.record(doc("2026-12-01T08:00:00Z", open_=("a", "m", "b", "e")), "audit")

    changes = history.changes(first, second)
    assert fps(changes.new) == ["d"] and fps(changes.still_open) == ["a"]
    assert fps(changes.resolved) == ["b", "c"] and changes.reopened == ()

    changes = history.changes(second, third)
    assert fps(changes.new) == ["e"]
    assert fps(changes.still_open) == ["a"]
    assert fps(changes.resolved) == ["d"]
    assert fps(changes.reopened) == ["b", "m"]

    first_ever = history.changes(None, first)
    assert fps(first_ever.new) == ["a", "b", "c"]

    assert [(a.id, a.command) for a in history.audits()] == [
        (first, "scan"),
        (second, "audit"),
        (third, "audit"),
    ]
    history.close()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    raw = path.read_bytes()
    for secret in (b"799834951951323136", b"x.com/p/1", b"91-year-old"):
        assert secret not in raw
    assert History(path).audits()[2].summary == {"findings": 4, "muted": 0}


def test_scans_are_recorded_and_diffed_from_the_command_line(tmp_path, capsys):
    from auditor import cli

    from conftest import EXAMPLE

    for _ in range(2):
        assert cli.main(["scan", str(EXAMPLE), "-q", "-o", str(tmp_path / "r.json")]) != 2
    capsys.readouterr()
    assert cli.main(["history"]) == 0
    listed = capsys.readouterr().out.splitlines()
    assert len(listed) == 2 and "x:DrMayaOkafor" in listed[0] and "scan" in listed[0]
    assert cli.main(["diff"]) == 0
    out = capsys.readouterr().out
    assert "From audit 1 to audit 2:" in out and "  new: 0" in out and "  resolved: 0" in out
    assert "still open: 11" in out
    assert cli.main(["diff", "1", "9"]) == 2
    assert "no audit 9" in capsys.readouterr().err


def test_the_config_can_put_the_history_elsewhere(tmp_path, capsys):
    from auditor import cli

    from conftest import EXAMPLE

    where = tmp_path / "audits" / "history.sqlite"
    config = tmp_path / "config.toml"
    config.write_text(f'[history]\npath = "{where}"\n')
    args = ["--config", str(config), "-q"]
    assert cli.main(["scan", str(EXAMPLE), *args, "-o", str(tmp_path / "r.json")]) != 2
    assert where.exists()
    capsys.readouterr()
    assert cli.main(["history", *args]) == 0
    assert len(capsys.readouterr().out.splitlines()) == 1
    config.write_text("[history]\npath = 3\n")
    assert cli.main(["history", *args]) == 2
    assert "history.path: expected a non-empty string" in capsys.readouterr().err


PATIENT_POSTS = {
    "p1": "Admitted Mr. Halvorsen, a 91-year-old retired pilot, to bed 4 on ward 7B last night.",
    "p2": "Ms. Renata Ferris, a 34-year-old kindergarten teacher from Brookfield, came in "
    "yesterday with diabetic ketoacidosis.",
    "p3": "Today in clinic a 67-year-old fisherman from Port Ellis showed me his melanoma.",
    "p4": "Discharged Mrs. Okonkwo, 88, a retired judge, from room 12 of the cardiac unit today.",
}


def post_file(path, ids):
    lines = [
        json.dumps({"id": i, "text": PATIENT_POSTS[i], "created_at": f"2026-0{n + 1}-05T14:30:00Z"})
        for n, i in enumerate(ids)
    ]
    path.write_text("\n".join(lines) + "\n")
    return path


def test_two_audits_of_a_changed_export_say_new_resolved_and_reopened(tmp_path, capsys):
    """The second audit's reports lead with what changed: a deleted post resolved, a new one
    new, and one whose mute expired reopened, in every format."""
    from auditor import cli

    posts = tmp_path / "posts.jsonl"
    config = tmp_path / "config.toml"
    dry = tmp_path / "dry.json"
    # learn the fingerprints from a scan recorded elsewhere
    post_file(posts, ["p1", "p2", "p3", "p4"])
    config.write_text(f'[history]\npath = "{tmp_path / "dry.sqlite"}"\n')
    cli.main(["scan", str(posts), "--config", str(config), "-q", "-o", str(dry)])
    by_post = {}
    for f in json.loads(dry.read_text())["findings"]:
        if f["post"]:
            by_post.setdefault(f["post"]["id"], set()).add(f["fingerprint"])
    assert set(by_post) == {"p1", "p2", "p3", "p4"}

    def audit(ids, until, out):
        post_file(posts, ids)
        mutes = "".join(
            f'[[mutes]]\nfingerprint = "{fp}"\nreason = "reviewed"\nuntil = {until}\n'
            for fp in sorted(by_post["p2"])
        )
        config.write_text(mutes)
        cli.main(["scan", str(posts), "--config", str(config), "-q", "-o", str(out)])
        return out

    future, past = date.today() + timedelta(days=30), date.today() - timedelta(days=1)
    first = json.loads(audit(["p1", "p2", "p3"], future, tmp_path / "1.json").read_text())
    assert first["changes"]["previous"] is None and first["changes"]["new"] == []
    assert {m["fingerprint"] for m in first["muted"]} == by_post["p2"]

    second = json.loads(audit(["p1", "p2", "p4"], past, tmp_path / "2.json").read_text())
    changes = second["changes"]
    assert changes["previous"]["audit"] == first["changes"]["audit"]

    def fps(key):
        return {s["fingerprint"] for s in changes[key]}

    assert fps("new") == by_post["p4"]
    assert fps("resolved") == by_post["p3"]
    assert fps("reopened") == by_post["p2"]
    assert changes["still_open"] == len(second["findings"]) - len(fps("new") | fps("reopened"))
    assert [r["audit"] for r in changes["recent"]] == [
        changes["previous"]["audit"],
        changes["audit"],
    ]

    # every format carries it
    from auditor.plugins import discover

    reports = discover().reports
    shown = {}
    for fmt in ("text", "markdown", "csv"):
        out = io.StringIO()
        reports[fmt]().render(second, out)
        shown[fmt] = out.getvalue()
    assert "Since last audit\n=====" in shown["text"]
    assert "1 new, 1 reopened, 1 resolved" in shown["text"].replace(" \n", " ")
    assert "## Since last audit" in shown["markdown"]
    assert "| reopened" in shown["markdown"] and "| resolved" in shown["markdown"]
    rows = list(csv.DictReader(io.StringIO(shown["csv"])))
    change = {r["fingerprint"]: r["since_last_audit"] for r in rows}
    assert {fp for fp, c in change.items() if c == "new"} == by_post["p4"]
    assert {fp for fp, c in change.items() if c == "reopened"} == by_post["p2"]
    assert {fp for fp, c in change.items() if c == "resolved"} == by_post["p3"]
    assert {fp for fp, c in change.items() if c == "still open"} >= by_post["p1"]
    capsys.readouterr()
    assert cli.main(["diff", "1", "2"]) == 0
    out = capsys.readouterr().out
    assert f"new: {len(by_post['p4'])}" in out and f"reopened: {len(by_post['p2'])}" in out
