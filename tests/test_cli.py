import csv
import io
import json
import stat

import pytest

from auditor.cli import main

from conftest import EXAMPLE, ROOT, run_cli


def test_help_lists_the_commands():
    proc = run_cli("--help")
    assert proc.returncode == 0
    for word in ("scan", "classify", "checks", "Exit codes"):
        assert word in proc.stdout
    assert run_cli("scan", "--help").returncode == 0


def test_no_command_is_a_usage_error():
    assert run_cli().returncode == 2


def test_checks_lists_id_scope_severity_title():
    proc = run_cli("checks")
    lines = proc.stdout.splitlines()
    assert lines[0].split()[:3] == ["Check", "Scope", "Severity"]
    row = next(line for line in lines if line.startswith("security.two-factor"))
    assert row.split()[1:3] == ["account", "high"]


def test_text_report_is_the_default(tmp_path):
    proc = run_cli("scan", EXAMPLE, cwd=tmp_path)
    assert proc.returncode == 1  # critical and high findings, default --fail-on high
    out = proc.stdout
    assert out.index("CRITICAL") < out.index("MEDIUM") < out.index("LOW")
    assert "x:DrMayaOkafor" in out and "SMS only" in out
    assert "Halvorsen" not in out  # masked by default
    assert "Coverage" in out


def test_show_text_reveals_evidence(tmp_path):
    masked = run_cli("scan", EXAMPLE, "-f", "json", cwd=tmp_path).stdout
    shown = run_cli("scan", EXAMPLE, "-f", "json", "--show-text", cwd=tmp_path).stdout
    assert "Halvorsen" not in masked and "Halvorsen" in shown
    assert json.loads(masked)["evidence_masked"] is True
    assert json.loads(shown)["evidence_masked"] is False


@pytest.mark.parametrize(
    ("fail_on", "code"), [("critical", 1), ("none", 0), ("high", 1), ("info", 1)]
)
def test_fail_on(tmp_path, fail_on, code):
    assert run_cli("scan", EXAMPLE, "--fail-on", fail_on, "-q", cwd=tmp_path).returncode == code


def test_exit_zero_when_nothing_at_or_above_the_bar(tmp_path):
    posts = tmp_path / "posts.jsonl"
    posts.write_text(json.dumps({"id": "1", "text": "Lovely run this morning."}) + "\n")
    proc = run_cli("scan", posts, "--fail-on", "high", cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout  # only the medium "2FA unknown" finding


def test_output_file_is_owner_only_and_format_from_suffix(tmp_path):
    for name, check in (
        ("r.json", lambda t: json.loads(t)["schema"] == "auditor.report/1"),
        ("r.md", lambda t: t.startswith("# Footprint audit") and "| Date" in t),
        ("r.csv", lambda t: t.startswith("fingerprint,severity,check")),
        ("r.txt", lambda t: "CRITICAL" in t),
    ):
        out = tmp_path / name
        proc = run_cli("scan", EXAMPLE, "-o", out, "-q", cwd=tmp_path)
        assert proc.returncode == 1, proc.stderr
        assert check(out.read_text()), name
        assert stat.S_IMODE(out.stat().st_mode) == 0o600


def test_existing_report_file_becomes_owner_only(tmp_path):
    out = tmp_path / "r.json"
    out.write_text("old")
    out.chmod(0o644)
    run_cli("scan", EXAMPLE, "-o", out, "-q", cwd=tmp_path)
    assert stat.S_IMODE(out.stat().st_mode) == 0o600


def test_csv_has_one_row_per_finding(tmp_path):
    doc = json.loads(run_cli("scan", EXAMPLE, "-f", "json", cwd=tmp_path).stdout)
    rows = list(csv.DictReader(io.StringIO(run_cli("scan", EXAMPLE, "-f", "csv").stdout)))
    assert len(rows) == len(doc["findings"])
    assert {r["fingerprint"] for r in rows} == {f["fingerprint"] for f in doc["findings"]}


def test_markdown_report(tmp_path):
    out = run_cli("scan", EXAMPLE, "--format", "markdown", cwd=tmp_path).stdout
    assert "## CRITICAL" in out and "| Account" in out


def test_several_sources_of_one_person(tmp_path):
    proc = run_cli(
        "scan", EXAMPLE, ROOT / "examples" / "posts.csv", "-f", "json", "-q", cwd=tmp_path
    )
    doc = json.loads(proc.stdout)
    keys = {a["key"] for a in doc["accounts"]}
    assert "x:DrMayaOkafor" in keys and len(keys) >= 2
    assert len(doc["coverage"]["sources"]) == 2
    assert doc["summary"]["posts_scanned"] == 39 + 8


def test_classify_prints_one_line_per_own_post(tmp_path):
    proc = run_cli("classify", EXAMPLE, cwd=tmp_path)
    assert proc.returncode == 0
    every = [json.loads(line) for line in proc.stdout.splitlines()]
    lines = [x for x in every if "account" in x]
    assert len(lines) == 39  # originals and replies; the 2 retweets are not the user's words
    assert set(lines[0]) == {"id", "account", "created_at", "url", "domain", "checks"}
    assert {x["domain"] for x in lines} <= {"professional", "personal", "mixed", "other"}
    # and one line for the archive's one direct-message conversation (the user declined to
    # discuss the patient: not clinical talk), never its text
    conversations = [x for x in every if "account" not in x]
    assert conversations == [{"id": "1287654321-2236067977", "checks": []}]
    flagged = [x for x in lines if "content.patient-identifiers" in x["checks"]]
    assert len(flagged) == 4
    assert all(x["account"] == "x:DrMayaOkafor" for x in lines)


def test_classify_only_flagged_as_csv_lists_the_posts_to_clean_up(tmp_path):
    proc = run_cli("classify", EXAMPLE, "--only-flagged", "--format", "csv", cwd=tmp_path)
    assert proc.returncode == 0
    rows = list(csv.DictReader(io.StringIO(proc.stdout)))
    assert list(rows[0]) == ["id", "account", "created_at", "url", "domain", "checks"]
    every = [json.loads(x) for x in run_cli("classify", EXAMPLE, cwd=tmp_path).stdout.splitlines()]
    flagged = [x for x in every if x.get("account") and x["checks"]]
    assert [r["id"] for r in rows] == [x["id"] for x in flagged] and rows
    assert all(r["url"].startswith("https://x.com/") and r["checks"] for r in rows)


def test_classify_into_a_closed_pipe_stops_quietly(tmp_path):
    import subprocess
    import sys

    proc = subprocess.run(
        f"{sys.executable} -m auditor classify {EXAMPLE} | head -1",
        shell=True,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert len(proc.stdout.splitlines()) == 1
    assert "error" not in proc.stderr and "Traceback" not in proc.stderr


def test_classify_to_file(tmp_path):
    out = tmp_path / "posts.jsonl"
    assert run_cli("classify", EXAMPLE, "-o", out, cwd=tmp_path).returncode == 0
    assert len(out.read_text().splitlines()) == 39 + 1  # the posts, then the conversation
    assert stat.S_IMODE(out.stat().st_mode) == 0o600


def test_refuses_to_write_over_an_input(tmp_path):
    posts = tmp_path / "posts.jsonl"
    posts.write_text(json.dumps({"id": "1", "text": "hello"}) + "\n")
    before = posts.read_bytes()
    proc = run_cli("scan", posts, "-o", posts, cwd=tmp_path)
    assert proc.returncode == 2 and "refusing" in proc.stderr
    assert posts.read_bytes() == before


def test_in_process_main_matches(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code = main(["scan", str(EXAMPLE), "-f", "json", "-q"])
    assert code == 1
    doc = json.loads(capsys.readouterr().out)
    assert doc["accounts"][0]["posts_scanned"] == 39


def test_unknown_format_is_a_usage_error(tmp_path):
    proc = run_cli("scan", EXAMPLE, "-f", "pdf", cwd=tmp_path)
    assert proc.returncode == 2 and "unknown --format 'pdf'" in proc.stderr


def test_streamed_json_equals_the_plain_document(tmp_path):
    import io as _io

    from auditor import config, engine
    from auditor.plugins import discover
    from auditor.reports.document import build, plain
    from auditor.reports.json_report import JsonReport

    result = engine.run([EXAMPLE], config.Config(), discover())
    doc = build(result)
    out = _io.StringIO()
    JsonReport().render(doc, out)
    assert json.loads(out.getvalue()) == json.loads(json.dumps(plain(doc)))
    assert len(plain(doc)["findings"]) == len(result.findings)


def test_text_report_fits_the_terminal(tmp_path):
    out = run_cli("scan", EXAMPLE, cwd=tmp_path, env_extra={"COLUMNS": "80"}).stdout
    assert max(len(line) for line in out.splitlines()) <= 80
