import dataclasses
from datetime import UTC, datetime

import pytest

from auditor.model import Evidence, Finding, Post, PostRef, Severity


def make(**over):
    base = dict(
        check="content.patient-identifiers",
        severity=Severity.HIGH,
        account="x:drtest",
        title="Post from 2019-03-13 mentions a patient's age",
        remediation="Delete it",
        subject="123",
        evidence=(Evidence("age", "the patient's age", "67-year-old"),),
        post=PostRef("123", None, datetime(2019, 3, 13, tzinfo=UTC)),
    )
    base.update(over)
    return Finding(**base)


def test_fingerprint_is_stable_across_wording_and_severity():
    a = make()
    assert a.fingerprint == make().fingerprint
    assert (
        a.fingerprint == make(severity=Severity.LOW, title="reworded", remediation="x").fingerprint
    )
    assert a.fingerprint == make(evidence=()).fingerprint
    assert len(a.fingerprint) == 20 and int(a.fingerprint, 16) >= 0


def test_fingerprint_differs_by_check_account_and_subject():
    a = make()
    assert a.fingerprint != make(subject="124").fingerprint
    assert a.fingerprint != make(account="x:other").fingerprint
    assert a.fingerprint != make(check="content.patient-encounter").fingerprint


def test_model_is_frozen():
    with pytest.raises(dataclasses.FrozenInstanceError):
        make().severity = Severity.LOW
    with pytest.raises(dataclasses.FrozenInstanceError):
        Post("1", "t", "x:a").text = "changed"


def test_severity_order_and_parse():
    assert [s.rank for s in Severity] == [4, 3, 2, 1, 0]
    assert Severity.parse("HIGH") is Severity.HIGH
    with pytest.raises(ValueError, match="expected one of critical"):
        Severity.parse("urgent")
