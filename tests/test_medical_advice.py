"""content.medical-advice on cases written for these tests (tests/data/advice/cases.jsonl):
advice to one person, and the hard negatives around it (education, refusals, own health,
non-medical senses)."""

import json

import pytest

from auditor.checks import CheckContext
from auditor.checks.content.medical_advice import MedicalAdvice
from auditor.model import Account, Post, Severity
from auditor.text.analysis import default_analyser

from conftest import DATA, run_cli

CASES = [json.loads(line) for line in (DATA / "advice" / "cases.jsonl").read_text().splitlines()]
ACCOUNT = Account("x", "drtest")


def findings(case):
    post = Post(case["id"], case["text"], ACCOUNT.key, reply_to=case["reply_to"])
    analysis = default_analyser().analyse(post.text)
    return list(MedicalAdvice().check_post(post, analysis, ACCOUNT, CheckContext(today=None)))


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_case(case):
    assert bool(findings(case)) is case["advice"], case["why"]


def test_finding_says_why_and_rises_with_a_drug_and_dose():
    dosed = {"id": "d", "reply_to": "kim", "text": "@kim take 400mg ibuprofen three times a day"}
    (f,) = findings(dosed)
    assert f.severity is Severity.HIGH
    assert "gives one person medical advice in public" in f.title
    assert {e.kind for e in f.evidence} >= {"reply", "drug", "dose"}
    (g,) = findings(next(c for c in CASES if c["id"] == "a2"))
    assert g.severity is Severity.MEDIUM and g.evidence[0].kind == "reply"


def test_scan_reports_it(tmp_path):
    posts = tmp_path / "posts.jsonl"
    # a post file names no handle, so a reply to the user's own post cannot be told apart
    cases = [c for c in CASES if c["reply_to"] != ACCOUNT.handle]
    posts.write_text("\n".join(json.dumps(c) for c in cases) + "\n")
    proc = run_cli("scan", posts, "-f", "json", "-q", "--fail-on", "none", cwd=tmp_path)
    doc = json.loads(proc.stdout)
    flagged = sorted(
        f["post"]["id"] for f in doc["findings"] if f["check"] == "content.medical-advice"
    )
    assert flagged == sorted(c["id"] for c in cases if c["advice"])
