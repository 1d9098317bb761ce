"""content.unprofessional on posts written for these tests, with the workplace-speech note."""

import pytest

from auditor.checks import CheckContext
from auditor.checks.content.unprofessional import Unprofessional
from auditor.model import Account, Post, Severity
from auditor.text.analysis import default_analyser

CASES = [
    ("The guy in bed 6 rang the bell twenty times for a biscuit. Sir, this is a ward 🙄", True),
    ("Three pints down and still on call tonight, pray the pager stays quiet 🍻", True),
    ("The consultant on my unit is a useless prick, everyone knows it.", True),
    ("Fenwick General management have lost it again. Avoid this hospital.", True),
    ("Lovely patient today brought the whole team flowers. This job 💛", False),
    # a drink on a day off, said so, is not drinking at work
    ("Night off, no pager, a glass of red 🍷 and the football on.", False),
    # a playful emoji about a patient's own choice is warmth, not mockery
    (
        "Mrs P in bay 2 wanted her nails done before her grandson visits. Coral, her choice 💅",
        False,
    ),
    ("Had a glass of wine at home after a long week off. Bliss.", False),
    ("Proud of our ward team: three years without a single pressure ulcer!", False),
]


def findings(text):
    account = Account("x", "drtest")
    post = Post("p", text, account.key)
    analysis = default_analyser().analyse(text)
    return list(Unprofessional().check_post(post, analysis, account, CheckContext(today=None)))


@pytest.mark.parametrize(("text", "flagged"), CASES)
def test_case(text, flagged):
    assert bool(findings(text)) is flagged


def test_drinking_on_call_is_high():
    (f,) = findings(CASES[1][0])
    assert f.severity is Severity.HIGH and "drinking while on call" in f.title


def test_disparaging_the_employer_over_staffing_notes_protected_speech():
    text = "Fenwick General management are cutting night staff again. Absolute clowns."
    (f,) = findings(text)
    assert "disparages your employer" in f.title
    assert "National Labor Relations Act" in f.remediation
    (g,) = findings(CASES[3][0])
    assert "National Labor Relations Act" not in g.remediation
