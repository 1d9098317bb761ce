"""content.undisclosed-promotion on posts written for these tests: sales pushes and paid-looking
endorsements without a disclosure, and the look-alikes that are not promotion."""

import pytest

from auditor.checks import CheckContext
from auditor.checks.content.undisclosed_promotion import UndisclosedPromotion
from auditor.model import Account, Post
from auditor.text.analysis import default_analyser

CASES = [
    # flagged: a call to buy about a product, a price or a link, with no disclosure
    (
        "Patients keep asking what I take: this collagen is it. Use my code DRSAM15 for 15% off!",
        True,
    ),
    ("My new online course on gut health is live, £49 for lifetime access. Link in bio.", True),
    ("I swear by this magnesium supplement for sleep, get it here: https://shop.example/mag", True),
    (
        "Dentist-approved whitening strips, 20% off this week only, shop now www.smilestore.com",
        True,
    ),
    (
        "Obsessed with this serum, honestly a game changer for my patients' skin. $38 at Boots.",
        True,
    ),
    # disclosed: the same pushes, with the relationship said
    (
        "#ad Patients keep asking what I take: this collagen. Use my code DRSAM15 for 15% off!",
        False,
    ),
    ("Paid partnership with Lumen: my go-to sleep tracker, $99 at https://lumen.example", False),
    (
        "I earn a commission on this link: my favourite water flosser, https://shop.example/wf",
        False,
    ),
    # not promotion
    ("New NICE hypertension guideline is out: https://www.nice.org.uk/guidance/ng136", False),
    (
        "Flu clinic this Saturday at the practice, no appointment needed. Details on our website.",
        False,
    ),
    ("Finished the course of antibiotics, feeling human again.", False),
    ("I recommend everyone over 50 gets screened: https://www.cancer.example/screening", False),
    ("Registration for our CME day is open, £40 including lunch: https://cme.example/day", False),
    ("Sunscreen every day, even in winter. SPF 30 or higher, reapply every two hours.", False),
]


def findings(text):
    account = Account("instagram", "drtest")
    post = Post("p", text, account.key)
    analysis = default_analyser().analyse(text)
    return list(UndisclosedPromotion().check_post(post, analysis, account, CheckContext(None)))


@pytest.mark.parametrize(("text", "flagged"), CASES)
def test_case(text, flagged):
    assert bool(findings(text)) is flagged


def test_finding_says_what_fired_and_asks_for_a_disclosure():
    (f,) = findings(CASES[0][0])
    assert f.severity.value == "medium"
    kinds = {e.kind: e.text for e in f.evidence}
    assert kinds["promo_call"] == "Use my code" and kinds["product"] == "collagen"
    assert "does not say whether you are paid, gifted or earn a commission" in f.title
    assert "#ad" in f.remediation
