"""content.self-exposure on cases written for these tests: each kind of exposure the
guideline lists, and hard negatives (a trip that is over, a building's routine, a practice
announcement)."""

import json

import pytest

from auditor.checks import CheckContext
from auditor.checks.content.self_exposure import SelfExposure
from auditor.model import Account, Post, Severity
from auditor.text.analysis import default_analyser

from conftest import DATA

CASES = [
    json.loads(line) for line in (DATA / "self_exposure" / "cases.jsonl").read_text().splitlines()
]
ACCOUNT = Account("x", "drtest")


def findings(text, rid="p"):
    post = Post(rid, text, ACCOUNT.key)
    analysis = default_analyser().analyse(text)
    return list(SelfExposure().check_post(post, analysis, ACCOUNT, CheckContext(today=None)))


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_case(case):
    assert bool(findings(case["text"])) is case["exposure"], case["why"]


def test_finding_names_what_is_exposed_and_what_to_do():
    (f,) = findings(next(c["text"] for c in CASES if c["id"] == "s4"))
    assert f.severity is Severity.HIGH
    assert "your DEA number" in f.title
    assert "watch for its misuse" in f.remediation
    (g,) = findings(next(c["text"] for c in CASES if c["id"] == "s5"))
    assert g.severity is Severity.MEDIUM and "a fixed routine" in g.title


def test_a_dea_lookalike_without_the_word_must_pass_the_check_digit():
    assert findings("Order ref AB1234563 shipped") != []  # a valid check digit
    assert findings("Order ref AB1234567 shipped") == []
