"""The practice review's Markdown, CSV and HTML: the 12-member roster of test_practice_review
in each format; the HTML page fetches and runs nothing, escapes every name, and a browser
draws it at desktop and phone width when Debian's chromium is installed."""

import csv
import html
import io
import json
import re

import pytest
from browser import chromium, screenshot
from test_practice_review import MEMBERS, account, summary, write_roster_file
from test_practice_review import STATUS as REVIEW_STATUS

from auditor.practice import report, review
from auditor.practice import roster as roster_mod
from auditor.practice.org_mfa import OrgMfa

PRACTICE = "Cedar Family Practice"
# a name that would be markup, and a table cell break, if either were written as it came
TRICKY = "<b>dev</b> | Smith & co"
STATUS = {TRICKY if name == "dev" else name: status for name, status in REVIEW_STATUS.items()}


def write_roster(tmp_path, members):
    # the tricky name cannot be a file name: files and addresses are numbered instead
    return roster_mod.load(write_roster_file(tmp_path, members, key=lambda name, n: f"m{n}"))


@pytest.fixture
def doc(tmp_path):
    members = {TRICKY if k == "dev" else k: v for k, v in MEMBERS.items()}
    return review.review(write_roster(tmp_path, members), org=({}, []))


def render(doc, fmt):
    out = io.StringIO()
    report.render(doc, fmt, out)
    return out.getvalue()


def text_of(page):
    return html.unescape(re.sub(r"<[^>]+>", " ", page))


def test_the_formats():
    from auditor import cli

    assert report.FORMATS == cli.PRACTICE_FORMATS == ("text", "json", "markdown", "csv", "html")


@pytest.mark.parametrize("fmt", report.FORMATS)
def test_every_format_renders_the_12_member_review(doc, fmt):
    out = render(doc, fmt)
    assert len(doc["members"]) == 12
    assert "eli" in out and "lee" in out
    if fmt != "csv":
        assert PRACTICE in out
    if fmt == "json":
        assert json.loads(out)["schema"] == "auditor.practice-review/1"


def test_csv_is_one_row_per_member(doc):
    rows = list(csv.DictReader(io.StringIO(render(doc, "csv"))))
    assert len(rows) == 12
    assert {r["name"]: r["summary_status"] for r in rows} == STATUS
    assert list(rows[0])[:15] == [
        "name",
        "email",
        "role",
        "summary_status",
        "summary_detail",
        "audit_date",
        "accounts",
        "accounts_meeting_policy",
        "two_factor_enabled",
        "two_factor_sms",
        "two_factor_disabled",
        "two_factor_unknown",
        "open_high",
        "risky_posts",
        "mixed_practice_accounts",
    ]
    by_name = {r["name"]: r for r in rows}
    assert by_name["ana"]["accounts"] == "1" and by_name["ana"]["accounts_meeting_policy"] == "1"
    assert by_name["ben"]["two_factor_sms"] == "1"
    assert by_name["ben"]["accounts_meeting_policy"] == "0"
    assert by_name[TRICKY]["two_factor_disabled"] == "1" and by_name[TRICKY]["open_high"] == "2"
    assert by_name["kit"]["two_factor_unknown"] == "1"
    assert by_name["jo"]["mixed_practice_accounts"] == "1"
    assert by_name["fay"]["audit_date"] == "" and by_name["fay"]["accounts"] == "0"
    assert "newer than this auditor reads" in by_name["hal"]["summary_detail"]


def test_markdown_has_the_checklist_the_actions_and_the_table(doc):
    md = render(doc, "markdown")
    assert md.startswith(f"# Security review: {PRACTICE} (")
    assert "## Top actions" in md and "\n1. " in md and "\n5. " in md and "\n6. " not in md
    assert "## Policy checklist" in md
    assert md.count("- [ ] ") == len(doc["checklist"]) == 4
    assert "- [ ] every member audited within 45 days: eli, fay, gus, hal, ivy" in md
    table = [line for line in md.splitlines() if line.startswith("|")]
    assert table[0].startswith("| Member") and "| Work MFA" in table[0]
    assert re.fullmatch(r"\|[-|: ]+\|", table[1])  # GitHub's header rule
    assert len(table) == 2 + 12
    # the name's | is escaped, so every row has the header's number of cells
    cells = table[0].count("|")
    assert all(len(re.findall(r"(?<!\\)\|", row)) == cells for row in table)
    assert "<b>dev</b> \\| Smith & co" in md
    assert "| UNREADABLE " in md and "| TOO OLD " in md
    assert "never counted as clean" in md
    for name in ("eli", "fay", "gus", "hal", "ivy"):
        assert f"\n- {name}: " in md


def test_markdown_checklist_ticks_a_passed_rule(tmp_path):
    good = {"ana": summary([account("professional", "enabled", ["totp"])])}
    md = render(review.review(write_roster(tmp_path, good), org=({}, [])), "markdown")
    assert md.count("- [x] ") == 4 and "- [ ] " not in md
    assert "None: every member meets the policy." in md
    assert "never counted as clean" not in md


def test_html_is_self_contained_and_escaped(doc):
    page = render(doc, "html")
    assert page.startswith("<!doctype html>")
    assert "<script" not in page.lower()
    assert "http://" not in page and "https://" not in page
    assert "default-src 'none'" in page and "Content-Security-Policy" in page
    assert "<b>" not in page
    assert "&lt;b&gt;dev&lt;/b&gt; | Smith &amp; co" in page
    # no attribute or element can fetch anything: there is no src, href is only a fragment
    assert not re.search(r"\ssrc=", page)
    assert set(re.findall(r'href="([^"]*)"', page)) <= {
        "#actions",
        "#checklist",
        "#members",
        "#not-counted",
    }
    # the self-audit's stylesheet, so the two reports look alike
    from auditor.reports.html import stylesheet

    assert stylesheet() in page


def test_html_says_what_the_review_says(doc):
    page = render(doc, "html")
    words = " ".join(text_of(page).split())
    assert "Action needed: 4 of 4 policy rules not met" in words
    assert 'class="status act"' in page
    for tile in ("Members 12", "Current audit 58%", "Two-factor on 75%", "App or key 62%"):
        assert tile in words
    assert "Meet the policy 5 of 8" in words
    # the chart says its numbers in words too
    assert 'role="img"' in page
    assert "Accounts with two-factor: 6 of 8 · 75%" in page
    assert "Members by summary: current 7, too old 1, missing 1" in page
    actions = re.search(r'<ol class="actions">(.*?)</ol>', page).group(1)
    assert actions.count("<li>") == 5
    assert "<code>auditor audit --share</code>" in actions
    assert "Policy checklist" in words and words.count("Not met") == 4 and "✗" in words
    members = re.search(r'<table class="matrix members">(.*?)</table>', page).group(1)
    assert members.count('<th scope="row">') == 12
    assert 'data-label="Summary"' in members
    assert "Work MFA" not in members  # no identity provider configured
    missing = re.search(r'<section id="not-counted">(.*?)</section>', page).group(1)
    for name in ("eli", "fay", "gus", "hal", "ivy"):
        assert f"<strong>{name}</strong>" in missing
    assert "ana" not in missing


def test_html_policy_met(tmp_path):
    good = {
        "ana": summary([account("professional", "enabled", ["totp"])]),
        "ben": summary([account("practice", "enabled", ["key"])]),
    }
    page = render(review.review(write_roster(tmp_path, good), org=({}, [])), "html")
    words = " ".join(text_of(page).split())
    assert 'class="status clear"' in page and "Policy met" in words
    assert "Not met" not in words
    assert page.count('<li class="pass"><span class="mark" aria-hidden="true">✓</span>') == 4
    assert page.count('<span class="verdict">Met</span>') == 4
    assert 'id="not-counted"' not in page
    assert "None: every member meets the policy." in words


def test_html_shows_the_work_accounts_mfa(tmp_path):
    members = {"ana": MEMBERS["ana"], "ben": MEMBERS["ben"], "fay": None}
    roster = write_roster(tmp_path, members)
    users = {
        "m0@cedar.example": OrgMfa("microsoft", "m0@cedar.example", True, "app"),
        "m1@cedar.example": OrgMfa("microsoft", "m1@cedar.example", True, "sms"),
    }
    sources = [
        {"source": "microsoft", "users": 2, "error": None},
        {"source": "google", "users": 0, "error": "Google Workspace: no secret stored"},
    ]
    page = render(review.review(roster, org=(users, sources)), "html")
    words = " ".join(text_of(page).split())
    assert "Work MFA meets policy 1 of 2" in words
    assert "✓ app microsoft" in words and "✗ sms microsoft · below policy" in words
    assert "google not read: Google Workspace: no secret stored" in words
    assert "Not read: google" in words


@pytest.fixture
def page_file(tmp_path, doc):
    path = tmp_path / "review.html"
    path.write_text(render(doc, "html"), encoding="utf-8")
    return path


def test_chromium_draws_the_review(tmp_path, page_file):
    dom = chromium(tmp_path, "--dump-dom", page_file.as_uri())
    words = " ".join(text_of(dom).split())
    assert PRACTICE in words and "Policy checklist" in words
    assert "Top actions" in words and "Not counted as clean (5)" in words
    # the browser read the name as text: no <b> element was made of it
    assert "<b>" not in dom and "&lt;b&gt;dev&lt;/b&gt;" in dom
    assert "<script" not in dom.lower()


@pytest.mark.parametrize("size", ["1280,2000", "390,2000"])
def test_chromium_screenshots(tmp_path, page_file, size):
    screenshot(tmp_path, page_file, size)
