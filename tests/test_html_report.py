"""--format html: one self-contained page of the report document, checked as markup and, where
Debian's chromium is installed, as a browser draws it at desktop and phone width."""

import copy
import html
import io
import json
import re
import tomllib
from datetime import date

import pytest
from browser import chromium, screenshot

from auditor import config as config_mod
from auditor import engine
from auditor.plugins import discover
from auditor.reports.document import build, plain
from auditor.reports.html import HtmlReport
from auditor.reports.sections import sections

from conftest import DATA, EXAMPLE, ROOT, run_cli

TODAY = date(2026, 12, 1)


def audit(*paths, cfg=None, show_text=False):
    result = engine.run(list(paths), cfg or config_mod.Config(), discover(), today=TODAY)
    return build(result, show_text=show_text)


def render(doc):
    out = io.StringIO()
    HtmlReport().render(doc, out)
    return out.getvalue()


def text_of(page):
    """The page's words as a reader sees them: tags dropped, entities decoded."""
    return html.unescape(re.sub(r"<[^>]+>", " ", page))


def pick(f):
    return {k: f[k] for k in ("fingerprint", "check", "severity", "account")}


def by_severity(critical=0, high=0, medium=0, low=0, info=0):
    return {"critical": critical, "high": high, "medium": medium, "low": low, "info": info}


def with_changes(doc):
    """The document with a `changes` object as the history gives it after a dozen audits."""
    findings = list(doc["findings"])
    doc = dict(doc, findings=findings)
    doc["changes"] = {
        "audit": 12,
        "previous": {"audit": 11, "at": "2026-11-01T07:00:00Z"},
        "new": [pick(findings[0]), pick(findings[2])],
        "reopened": [pick(findings[5])],
        "resolved": [
            {
                "fingerprint": "0123456789abcdef0123",
                "check": "settings.open-messages",
                "severity": "medium",
                "account": "x:DrMayaOkafor",
            }
        ],
        "still_open": 8,
        "recent": [
            {
                "audit": 8 + i,
                "at": f"2026-{8 + i:02d}-01T07:00:00Z",
                "findings": sum(counts.values()),
                "muted": 0,
                "by_severity": counts,
            }
            for i, counts in enumerate(
                [by_severity(3, 5, 4, 6), by_severity(2, 4, 3, 5), by_severity(1, 4, 2, 4)]
                + [by_severity(0, 3, 2, 4), doc["summary"]["by_severity"]]
            )
        ],
    }
    return doc


@pytest.fixture
def doc():
    return audit(EXAMPLE)


@pytest.fixture
def cli_doc(tmp_path):
    """The JSON document of the second scan of the example: the history gives it `changes`."""
    for _ in range(2):
        proc = run_cli("scan", EXAMPLE, "-f", "json", "--fail-on", "none", "-q", cwd=tmp_path)
        assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def test_the_page_fetches_nothing_and_runs_nothing(doc):
    for page in (render(doc), render(with_changes(doc))):
        low = page.lower()
        assert low.startswith("<!doctype html>")
        assert '<meta name="viewport"' in low and "@media print" in low
        assert "default-src 'none'" in page  # the policy refuses any fetch that slipped in
        for banned in ("<script", "@import", "url(", "<link", "<img", "<iframe", "<object"):
            assert banned not in low, banned
        assert not re.search(r"\bsrc\s*=", low)
        links = re.findall(r'<a [^>]*href="([^"]*)"[^>]*>', page)
        outside = [h for h in links if not h.startswith("#")]
        posts = {f["post"]["url"] for f in doc["findings"] if f["post"]}
        assert outside and set(map(html.unescape, outside)) <= posts
        for tag in re.findall(r'<a [^>]*href="http[^>]*>', page):
            assert 'rel="noreferrer' in tag


def test_evidence_is_shown_as_the_document_gives_it(doc):
    page = render(doc)
    shown = audit(EXAMPLE, show_text=True)
    masked_texts = [e["text"] for f in doc["findings"] for e in f["evidence"] if e["text"]]
    assert masked_texts
    for text in masked_texts:
        assert html.escape(text) in page
    raw = {e["text"] for f in shown["findings"] for e in f["evidence"] if e["text"]}
    for text in raw - set(masked_texts):
        if len(text) >= 6:
            assert html.escape(text) not in page, text
    assert "Halvorsen" not in page
    assert "Evidence is masked; run with --show-text" in page
    unmasked = render(shown)
    assert "Halvorsen" in unmasked and "Evidence is masked" not in unmasked


def test_every_finding_is_a_card_worst_first_then_oldest(doc):
    page = render(doc)
    findings = list(doc["findings"])
    for f in findings:
        assert f["fingerprint"][:12] in page
        assert html.escape(f["title"]) in page
        assert html.escape(f["remediation"]) in page
    cards = re.findall(r'<article class="card (\w+)" id="f-(\w+)"', page)
    assert len(cards) == len(findings)
    account_level = [f for f in findings if f["post"] is None]
    posts = [f for f in findings if f["post"]]
    # account findings come first, then the posts to clean up
    assert [fp for _, fp in cards[: len(account_level)]] == [
        f["fingerprint"] for f in account_level
    ]
    post_order = [fp for _, fp in cards[len(account_level) :]]
    rank = {"critical": 0, "high": 1, "medium": 2, "low": 3, "info": 4}
    expected = sorted(posts, key=lambda f: (rank[f["severity"]], f["post"]["created_at"]))
    assert post_order == [f["fingerprint"] for f in expected]
    assert page.index("Account findings") < page.index("Posts to clean up")
    assert "HIPAA: names" in page


def test_strings_from_posts_are_escaped(doc):
    doc = plain(doc)
    f = doc["findings"][0]
    f["title"] = "<b>bold</b> & <script>alert(1)</script>"
    f["evidence"][0]["text"] = '"><img src=x onerror=alert(1)>'
    f["evidence"][0]["label"] = "<i>label</i>"
    f["remediation"] = "Delete <u>it</u>"
    f["post"]["url"] = "javascript:alert(1)"
    doc["accounts"][0]["key"] = 'x:"><svg onload=alert(1)>'
    page = render(doc)
    low = page.lower()
    assert "<b>bold" not in page and "<script" not in low and "<img" not in low
    assert "onload=alert" not in page.replace("onload=alert(1)&gt;", "")
    assert "&lt;b&gt;bold&lt;/b&gt; &amp; &lt;script&gt;" in page
    assert "&lt;i&gt;label&lt;/i&gt;" in page and "Delete &lt;u&gt;it&lt;/u&gt;" in page
    assert "<b>bold</b> & <script>alert(1)</script>" in text_of(page)
    assert 'href="javascript' not in low  # not a web address: shown, never a link


@pytest.mark.parametrize(
    ("counts", "errors", "banner", "look"),
    [
        (by_severity(2, 3, 1), 0, "Action needed: 2 critical, 3 high", "act"),
        (by_severity(0, 1), 0, "Action needed: 1 high", "act"),
        (by_severity(0, 0, 4, 1, 2), 0, "Review: 4 medium, 1 low, 2 info", "review"),
        (by_severity(), 0, "No findings", "clear"),
        (by_severity(), 2, "No findings, but the audit is incomplete", "review"),
    ],
)
def test_status_banner(doc, counts, errors, banner, look):
    doc = dict(doc)
    doc["summary"] = dict(doc["summary"], by_severity=counts, errors=errors)
    page = render(doc)
    assert f'<div class="status {look}" role="status">' in page
    assert f"<strong>{banner}</strong>" in page


def test_since_last_audit_lists_what_changed(doc):
    changed = with_changes(doc)
    page = render(changed)
    words = text_of(page)
    assert "Since last audit" in words and "Compared with audit 11 of 2026-11-01" in words
    tiles = re.findall(r'<span class="n">(\d+)</span>(\w[\w ]*)<', page)
    assert tiles == [("2", "New"), ("1", "Reopened"), ("1", "Resolved"), ("8", "Still open")]
    for seen in (*changed["changes"]["new"], *changed["changes"]["reopened"]):
        title = next(
            f["title"] for f in changed["findings"] if f["fingerprint"] == seen["fingerprint"]
        )
        assert f'<a href="#f-{seen["fingerprint"]}">{html.escape(title)}</a>' in page
    assert "settings.open-messages" in words and "0123456789ab" in words

    first = dict(doc)
    first["changes"] = dict(changed["changes"], previous=None, new=[], reopened=[], resolved=[])
    assert "First recorded audit of these accounts: the next report will say what changed." in (
        text_of(render(first))
    )
    assert 'id="changes"' not in render(doc)


def test_the_trend_chart_and_its_numbers(doc):
    page = render(with_changes(doc))
    svg = re.search(r'<div class="chart"><svg.*?</svg>', page, re.S).group(0)
    assert 'role="img"' in svg and "<title>Findings by severity over the last 5 audits" in svg
    assert len(re.findall(r"<g><title>Audit \d+", svg)) == 5
    assert "<title>Audit 8, 2026-08-01: 3 critical, 5 high, 4 medium, 6 low</title>" in svg
    assert svg.count('class="c-critical"') == 4  # the audit with no critical has no segment
    assert "<summary>The numbers</summary>" in page
    assert "<td>2026-08-01</td><td>3</td><td>5</td><td>4</td><td>6</td><td>0</td>" in page

    alone = render(doc)  # no history: this audit's bars from the summary
    assert "Findings by severity in this audit" in alone
    assert (
        'aria-label="Findings by severity in this audit: 2 critical, 4 high, 2 medium, 3 low"'
        in (alone)
    )


def test_the_account_matrix(doc):
    multi = audit(EXAMPLE, DATA / "mastodon" / "export-2023-zip")
    multi = dict(multi, accounts=copy.deepcopy(multi["accounts"]))
    mastodon = multi["accounts"][1]
    mastodon["checks_lacking_evidence"].append(
        {"check": "security.authorized-apps", "reason": "no apps file"}
    )
    page = render(multi)
    table = re.search(r'<table class="matrix">.*?</table>', page, re.S).group(0)
    heads = re.findall(r'<th title="([^"]+)">', table)
    assert heads == ["security.authorized-apps", "security.two-factor"]
    rows = re.findall(r"<tr><th scope=\"row\">(.*?)</tr>", table, re.S)
    assert len(rows) == len(multi["accounts"]) == 2
    x_row, mastodon_row = (text_of(r) for r in rows)
    assert "x:DrMayaOkafor" in x_row and "! SMS only" in x_row
    assert x_row.count("✗ medium") == 2
    assert mastodon["key"] in mastodon_row and "? unknown" in mastodon_row
    assert "? no evidence" in mastodon_row and "✗ medium" in mastodon_row
    assert 'data-label="Authorized apps"' in table  # what a phone shows beside each value


def test_muted_findings_keep_their_reason(doc):
    fp = next(f["fingerprint"] for f in doc["findings"] if f["check"] == "security.two-factor")
    cfg = config_mod.parse(
        tomllib.loads(
            f'[[mutes]]\nfingerprint = "{fp}"\nreason = "2FA is <on> with an app"\n'
            "until = 2027-06-30\n"
        )
    )
    muted = audit(EXAMPLE, cfg=cfg)
    page = render(muted)
    section = page[page.index('<section id="muted">') :]
    assert "Muted (1)" in section and f'id="m-{fp}"' in section
    assert "2FA is &lt;on&gt; with an app" in section and "until 2027-06-30" in section
    assert f'id="f-{fp}"' not in page
    assert "– muted" in page  # its column in the matrix is neither clean nor a finding


def test_coverage_says_what_sections_says(doc):
    page = render(doc)
    coverage = next(s for s in sections(doc) if s.heading == "Coverage")
    assert coverage.lines
    section = page[page.index('<section id="coverage">') :]
    for line in coverage.lines:
        assert html.escape(line.strip()) in section


def test_a_cli_document_with_history_renders(cli_doc):
    assert cli_doc["changes"]["previous"] is not None
    page = render(cli_doc)
    assert "Since last audit" in page and "Findings by severity, last 2 audits" in page
    assert f"{cli_doc['changes']['still_open']}</span>Still open" in page


def test_installed_as_the_html_format():
    assert discover().reports.get("html") is HtmlReport
    with (ROOT / "pyproject.toml").open("rb") as f:
        data = tomllib.load(f)["tool"]["setuptools"]["package-data"]
    assert "*.css" in data["auditor.reports"]  # the stylesheet ships with the package


# --- in a browser -------------------------------------------------------------------------


@pytest.fixture
def page_file(tmp_path, cli_doc):
    path = tmp_path / "report.html"
    path.write_text(render(with_changes(cli_doc)), encoding="utf-8")
    return path


def test_chromium_draws_the_report(tmp_path, page_file, cli_doc):
    dom = chromium(tmp_path, "--dump-dom", page_file.as_uri())
    words = text_of(dom)
    assert "Action needed: 2 critical, 4 high" in words
    assert "Since last audit" in words and "Posts to clean up" in words
    for account in cli_doc["accounts"]:
        assert account["key"] in words
    assert cli_doc["findings"][0]["title"] in words
    assert "<script" not in dom.lower()


@pytest.mark.parametrize("size", ["1280,2400", "390,2400"])
def test_chromium_screenshots(tmp_path, page_file, size):
    screenshot(tmp_path, page_file, size)
