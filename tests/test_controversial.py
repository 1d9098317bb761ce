"""content.controversial on posts written for these tests: partisan calls and proselytising,
and the public-health advocacy the guideline keeps out."""

import pytest

from auditor.checks import CheckContext
from auditor.checks.content.controversial import Controversial
from auditor.model import Account, Post, Severity
from auditor.text.analysis import default_analyser

CASES = [
    ("Anyone voting for the Harbour Party next week is voting to close our hospital.", True),
    ("I'm voting Green this time, their NHS plan is the only one that adds up.", True),
    ("Repeal the ban now! Every senator who backed it should resign. #abortionrights", True),
    ("If you don't know Jesus yet, message me, He can change your life too.", True),
    ("Vaccines work. Measles is back because coverage fell: check your records.", False),
    ("Wear sunscreen, folks. Melanoma rates keep climbing every summer.", False),
    ("Our party for the ward's 50th anniversary is on Friday, all welcome!", False),
    ("Great to see the new health minister visit our clinic today.", False),
]


def findings(text, role=None):
    account = Account("x", "drtest", role=role)
    post = Post("p", text, account.key)
    analysis = default_analyser().analyse(text)
    return list(Controversial().check_post(post, analysis, account, CheckContext(today=None)))


@pytest.mark.parametrize(("text", "flagged"), CASES)
def test_case(text, flagged):
    assert bool(findings(text)) is flagged


def test_weighs_more_on_a_professional_account():
    text = CASES[0][0]
    (personal,) = findings(text, role="personal")
    (professional,) = findings(text, role="professional")
    assert personal.severity is Severity.LOW
    assert professional.severity is Severity.MEDIUM
    assert "on a professional account" in professional.title
