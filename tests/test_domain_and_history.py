"""Domain per post, content.mixed-account and content.old-posts, on posts written for these
tests, through the engine as a scan runs them."""

import json
from datetime import date

import pytest

from auditor import config as config_mod
from auditor import engine
from auditor.plugins import discover
from auditor.text.analysis import default_analyser
from auditor.text.domain import post_domain

DOMAIN_CASES = [
    (
        "New Saturday flu clinic at the practice from next week, no appointment needed.",
        None,
        "professional",
    ),
    (
        "Great grand rounds talk on sepsis bundles today; slides are on the department drive.",
        None,
        "professional",
    ),
    (
        "Marathon training week 9: 28km done, one more long run before the taper.",
        None,
        "personal",
    ),
    (
        "Made my nan's curry recipe for the first time. The kitchen will never recover.",
        None,
        "personal",
    ),
    ("Dropped the kids at school, then straight into theatre for a long list.", None, "mixed"),
    ("Good morning everyone!", None, "other"),
    ("Well, that escalated quickly.", None, "other"),
    # medical words in a TV drama or an idiom are not medicine
    (
        "Finally caught up on the hospital show everyone talks about. The surgeon in episode 3 "
        "would have lost his licence by lunchtime.",
        "personal",
        "personal",
    ),
    (
        "Be patient with the new sourdough starter, they said. Day nine and still flat.",
        None,
        "personal",
    ),
    # the author's own illness is their life; with their clinic it is both
    (
        "I was diagnosed with shingles on Monday, so the clinic is covering my lists this week.",
        "personal",
        "mixed",
    ),
    # a view with no topic is neither side; the author's profession makes it professional
    ("Voting them out next month. This council has done nothing for anyone.", "personal", "other"),
    (
        "Paediatrician here: cutting the school nurse budget is a false economy. Vote them out.",
        "personal",
        "professional",
    ),
    # on a professional account, a clinic notice that mentions cake stays professional
    (
        "Flu clinic runs all Saturday at the practice. There will be cake for the staff.",
        "professional",
        "professional",
    ),
    # no topic word at all: the account's role decides
    ("Still thinking about yesterday. What a week it has been, honestly.", "personal", "personal"),
    (
        "Still thinking about yesterday. What a week it has been, honestly.",
        "professional",
        "professional",
    ),
]


@pytest.mark.parametrize(("text", "role", "want"), DOMAIN_CASES)
def test_domain_of_a_post(text, role, want):
    kinds = default_analyser().analyse(text).kinds
    assert post_domain(kinds, text, role) == want


PERSONAL = [
    "Marathon training week {n}: legs gone, spirit intact.",
    "Baking sourdough again this weekend, loaf number {n}.",
    "Took the dog to the beach, walk number {n} this month.",
]
PROFESSIONAL = [
    "Reminder: flu vaccine clinic at the practice on Saturday, slot {n} still free.",
    "Journal club {n} this Thursday: the new hypertension guideline.",
]


def write_posts(path, rows):
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    return path


def posts(texts, start_year=2015):
    return [
        {
            "id": f"p{i}",
            "platform": "x",
            "text": t,
            "created_at": f"{start_year + i % 10}-03-0{1 + i % 9}T10:00:00Z",
            "url": f"https://example.test/p{i}",
        }
        for i, t in enumerate(texts)
    ]


def audit(path, cfg_text, today=date(2026, 12, 1)):
    cfg = config_mod.parse(__import__("tomllib").loads(cfg_text))
    return engine.run([path], cfg, discover(), today=today)


def by_check(result, check):
    return [f for f in result.findings if f.check == check]


ROLE = """
[owner]
practice = "Lakeview Internal Medicine"
[[accounts]]
platform = "x"
handle = "posts"
role = "{role}"
"""


def test_personal_content_on_a_professional_account_is_mixed(tmp_path):
    texts = [PROFESSIONAL[i % 2].format(n=i) for i in range(7)]
    texts += [PERSONAL[i % 3].format(n=i) for i in range(5)]
    path = write_posts(tmp_path / "posts.jsonl", posts(texts))
    result = audit(path, ROLE.format(role="professional"))
    (account,) = result.accounts
    assert account.domains == {"professional": 7, "personal": 5}
    (f,) = by_check(result, "content.mixed-account")
    assert f.title == (
        "42% of the posts on professional account x:posts have personal content (5 of 12)"
    )
    examples = [e for e in f.evidence if e.kind == "example"]
    assert len(examples) == 3 and all("https://example.test/" in e.label for e in examples)
    assert examples[0].text.startswith("Marathon")  # masked by the reports, not here


def test_a_few_personal_posts_on_a_professional_account_are_fine(tmp_path):
    texts = [PROFESSIONAL[i % 2].format(n=i) for i in range(12)] + [PERSONAL[0].format(n=1)]
    result = audit(
        write_posts(tmp_path / "posts.jsonl", posts(texts)), ROLE.format(role="professional")
    )
    assert not by_check(result, "content.mixed-account")


def test_personal_account_naming_the_practice(tmp_path):
    texts = [PERSONAL[i % 3].format(n=i) for i in range(9)]
    texts.append("Long day at Lakeview Internal Medicine, home for tea.")
    result = audit(
        write_posts(tmp_path / "posts.jsonl", posts(texts)), ROLE.format(role="personal")
    )
    (f,) = by_check(result, "content.mixed-account")
    assert f.subject == "practice" and f.severity.value == "medium"
    assert "names the practice (Lakeview Internal Medicine) in 1 post" in f.title


def test_no_role_no_mixed_account_finding(tmp_path):
    texts = [PERSONAL[i % 3].format(n=i) for i in range(10)]
    result = audit(write_posts(tmp_path / "posts.jsonl", posts(texts)), "")
    assert not by_check(result, "content.mixed-account")


def test_old_posts_counts_public_posts_older_than_the_horizon(tmp_path):
    rows = posts([PROFESSIONAL[0].format(n=i) for i in range(10)])  # 2015 ... 2024
    rows[0]["visibility"] = "followers"  # not public: not counted
    path = write_posts(tmp_path / "posts.jsonl", rows)
    (f,) = by_check(audit(path, ""), "content.old-posts")
    # public posts before 2021-12-01: 2016 ... 2021 (2015's is followers-only)
    assert f.title == ("6 public posts on x:posts are older than 5 years (before 2021-12-01)")
    assert [e.label for e in f.evidence] == ["6 of 9 public posts", "the oldest from 2016-03-02"]
    (f,) = by_check(audit(path, "[checks]\nold_post_years = 3\n"), "content.old-posts")
    assert f.title.startswith("8 public posts") and "(before 2023-12-01)" in f.title
    assert not by_check(audit(path, "[checks]\nold_post_years = 20\n"), "content.old-posts")


def test_old_post_years_must_be_a_whole_number():
    with pytest.raises(Exception, match="checks.old_post_years: expected a whole number"):
        config_mod.parse({"checks": {"old_post_years": "five"}})
