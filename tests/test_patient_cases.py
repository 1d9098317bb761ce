"""The patient checks on cases written for these tests (tests/data/patients/cases.jsonl): an
encounter with or without identifying detail, and the hard negatives."""

import json
from pathlib import Path

import pytest

from auditor.checks import CheckContext
from auditor.checks.content.patient_encounter import PatientEncounter
from auditor.checks.content.patient_identifiers import PatientIdentifiers
from auditor.model import Account, Post
from auditor.text.analysis import default_analyser

CASES = [
    json.loads(line)
    for line in (Path(__file__).parent / "data" / "patients" / "cases.jsonl")
    .read_text()
    .splitlines()
]


def fired(case):
    account = Account("x", "drtest")
    post = Post(
        case["id"],
        case["text"],
        account.key,
        reply_to=case["reply_to"],
        has_media=case["has_media"],
    )
    analysis = default_analyser().analyse(post.text)
    ctx = CheckContext(today=None)
    return {
        check.meta.id
        for check in (PatientIdentifiers(), PatientEncounter())
        if list(check.check_post(post, analysis, account, ctx))
    }


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_case(case):
    got = fired(case)
    assert ("content.patient-identifiers" in got) is case["phi"], case["why"]
    assert bool(got) is case["encounter"], case["why"]
