"""The audit history: what is recorded (never post text, ids or URLs) and what changed
between two audits: new, still open, resolved, and reopened after a mute's expiry."""

import stat

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
