import json
from datetime import UTC, date, datetime

import pytest

from auditor.checks import CheckContext
from auditor.checks.content.patient_encounter import PatientEncounter
from auditor.checks.content.patient_identifiers import PatientIdentifiers
from auditor.checks.security.two_factor import TwoFactor
from auditor.engine import open_source
from auditor.model import (
    Account,
    AccountReport,
    Post,
    SecurityState,
    Severity,
    TwoFactorMethod,
)
from auditor.plugins import discover
from auditor.text.analysis import default_analyser

CTX = CheckContext(today=date(2026, 12, 1))
ACCOUNT = Account("x", "drtest", role="professional")


def run_post_checks(text, has_media=False):
    post = Post(
        "1",
        text,
        ACCOUNT.key,
        created_at=datetime(2019, 3, 13, tzinfo=UTC),
        url="https://x.com/drtest/status/1",
        has_media=has_media,
    )
    analysis = default_analyser().analyse(text)
    out = []
    for check in (PatientIdentifiers(), PatientEncounter()):
        out.extend(check.check_post(post, analysis, ACCOUNT, CTX))
    return out


def test_patient_post_names_identifier_kinds_and_hipaa_items():
    (f,) = run_post_checks(
        "Saw a 67-year-old in the ED tonight who fell off the water tower. Wild shift."
    )
    assert f.check == "content.patient-identifiers"
    assert f.title.startswith("Post from 2019-03-13 describes a specific patient")
    assert "the patient's age" in f.title and "when it happened" in f.title
    assert "HIPAA Safe Harbor identifiers" in f.title and "dates" in f.title
    kinds = {e.kind for e in f.evidence}
    assert {"encounter", "age", "time", "unit", "rare_event"} <= kinds
    assert f.post.url == "https://x.com/drtest/status/1" and "Delete the post" in f.remediation
    assert f.severity in (Severity.HIGH, Severity.CRITICAL)


def test_severity_rises_with_identifiers():
    (weak,) = run_post_checks("Had a patient thank me today.")
    (strong,) = run_post_checks("Discharged Mr Alvarez today, 82, from bed 4. MRN 12345678.")
    assert weak.severity is Severity.MEDIUM
    assert strong.severity is Severity.CRITICAL


def test_clinical_photo_counts_as_an_identifier():
    (f,) = run_post_checks("Her rash, day 3 of antibiotics. Finally fading!", has_media=True)
    assert f.check == "content.patient-identifiers"
    assert any(e.kind == "image" for e in f.evidence)
    (g,) = run_post_checks("Her rash, day 3 of antibiotics. Finally fading!")
    assert g.check == "content.patient-encounter"


def test_encounter_without_identifiers_is_the_lower_check():
    (f,) = run_post_checks("Had a patient thank me for listening. Made my week.")
    assert f.check == "content.patient-encounter" and f.severity is Severity.LOW


@pytest.mark.parametrize(
    "text",
    [
        "Adults over 45 should be screened for colon cancer. Ask your doctor.",
        "Wishing the senator a speedy recovery after yesterday's news of his stroke.",
        "Had my own colonoscopy today. The prep really is the worst part.",
        "Teaching point: in any patient with chest pain, get an ECG within 10 minutes.",
        "Our case report is out: 34-year-old woman with Still's disease (Okafor et al., "
        "J Med 2019;7:112).",
        "Watching the season finale of a hospital drama: a 40-year-old patient in bed 3, sure.",
        "Be patient with the new EHR rollout, everyone. It gets easier after week two.",
        "Brought a case of beer to the block party tonight.",
        "What a great shot in the game tonight! The whole gym lost it.",
        "Congratulations to Dr. Sam Lee on her new post as Chief of Cardiology!",
        "Journal club this Thursday at 7pm, Library Room B. Pizza provided.",
        "Flu clinic this Saturday 9-1 at Lakeview General, east entrance.",
        "My patients teach me something every day.",
        "Ten years married to a man who still laughs at my puns.",
    ],
)
def test_hard_negatives_stay_quiet(text):
    assert run_post_checks(text) == []


def test_example_archive_findings_match_its_labels(example_archive):
    labels = json.loads((example_archive.parent / "x_archive_labels.json").read_text())
    fired = {}

    imp = open_source(example_archive, discover())
    for post in imp.posts:
        if post.is_repost:
            continue
        analysis = default_analyser().analyse(post.text)
        for check in (PatientIdentifiers(), PatientEncounter()):
            for f in check.check_post(post, analysis, ACCOUNT, CTX):
                fired[post.id] = f.check
    expect = {}
    for item in labels["tweets"].values():
        if item["category"] == "patient_identifying":
            expect[item["id"]] = "content.patient-identifiers"
        elif item["category"] == "patient_encounter":
            expect[item["id"]] = "content.patient-encounter"
    assert fired == expect


def report(security, platform="x"):
    return AccountReport(Account(platform, "drtest"), security, 10)


def test_two_factor_unknown_is_never_fine():
    (f,) = TwoFactor().check_account(report(SecurityState()), CTX)
    assert "unknown" in f.title and f.severity is Severity.MEDIUM
    assert "Settings and privacy" in f.remediation  # how to verify on X
    assert f.evidence  # says why it is unknown


def test_two_factor_sms_disabled_and_enabled():
    sms = SecurityState(two_factor_methods=(TwoFactorMethod("sms", "SMS phone", "ni-devices.js"),))
    (f,) = TwoFactor().check_account(report(sms), CTX)
    assert "SMS" in f.title and "Authentication app" in f.remediation
    off = SecurityState(two_factor_disabled_evidence=("two-factor file says off",))
    (g,) = TwoFactor().check_account(report(off, "facebook"), CTX)
    assert g.severity is Severity.HIGH and "turned off" in g.title and "Facebook" in g.title
    on = SecurityState(two_factor_methods=(TwoFactorMethod("totp", "authenticator", "aegis"),))
    assert list(TwoFactor().check_account(report(on), CTX)) == []
    assert f.fingerprint != g.fingerprint
