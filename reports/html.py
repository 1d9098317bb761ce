"""--format html: the report as one self-contained page, for a browser, a phone or paper.

Everything is inline (the stylesheet `html.css`, the chart as SVG) and the page carries a
Content-Security-Policy that allows nothing else: opening a report never reaches the network.
The only links are the findings' own posts. Every string from the document is escaped: titles
and evidence come from the user's posts.
"""

from __future__ import annotations

import functools
import importlib.resources
import math
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from html import escape
from typing import Any, TextIO
from urllib.parse import urlsplit

from auditor.reports import Report
from auditor.reports.sections import CHANGES_SHOWN, SEVERITY_ORDER, TWO_FACTOR_WORDS, sections

# default-src 'none' refuses every fetch; inline style is the one thing the page needs
POLICY = "default-src 'none'; style-src 'unsafe-inline'; form-action 'none'; base-uri 'none'"
# (class, mark) per two-factor status: the mark keeps the meaning when colour is not seen
TWO_FACTOR_LOOK = {
    "enabled": ("ok", "✓"),
    "sms": ("warn", "!"),
    "disabled": ("bad", "✗"),
    "unknown": ("unknown", "?"),
}
# what the posts count leaves out, said beside it
ALSO_SCANNED = (("comments_scanned", "comments"), ("messages_scanned", "DMs"))
ICONS = {
    "act": '<path d="M16 3 30 28H2Z" fill="currentColor"/><path d="M16 12v7m0 4v1" '
    'stroke="#fff" stroke-width="3" stroke-linecap="round"/>',
    "review": '<circle cx="16" cy="16" r="14" fill="currentColor"/><path d="M16 9v9m0 4v1" '
    'stroke="#fff" stroke-width="3" stroke-linecap="round"/>',
    "clear": '<circle cx="16" cy="16" r="14" fill="currentColor"/><path d="m9 16 5 5 9-10" '
    'stroke="#fff" stroke-width="3" fill="none" stroke-linecap="round"/>',
}


@functools.cache
def stylesheet() -> str:
    return importlib.resources.files("auditor.reports").joinpath("html.css").read_text("utf-8")


def e(value: object) -> str:
    return escape(str(value), quote=True)


@dataclass(frozen=True)
class Row:
    """What the page needs to place one finding; the finding itself is read again (lazily,
    by index) only when its card is written, so a large report is never held whole."""

    index: int
    severity: str
    account: str
    check: str
    fingerprint: str
    title: str
    when: datetime | None
    has_post: bool


def _when(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        when = datetime.fromisoformat(value)
    except ValueError:
        return None
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def _rows(findings: Iterable[dict[str, Any]]) -> list[Row]:
    return [
        Row(
            i,
            f["severity"],
            f["account"],
            f["check"],
            f["fingerprint"],
            f["title"],
            _when((f["post"] or {}).get("created_at")),
            f["post"] is not None,
        )
        for i, f in enumerate(findings)
    ]


def _clean_up_order(row: Row) -> tuple[int, bool, datetime, int]:
    rank = SEVERITY_ORDER.index(row.severity) if row.severity in SEVERITY_ORDER else 99
    oldest = datetime.min.replace(tzinfo=UTC)
    return (rank, row.when is None, row.when or oldest, row.index)


def _counts(by_severity: dict[str, int], levels: Iterable[str]) -> str:
    return ", ".join(f"{by_severity[k]} {k}" for k in levels if by_severity.get(k))


def stamp(value: str) -> str:
    """An ISO time as "2026-01-01 08:00 UTC"; anything else as it came."""
    when = _when(value)
    if when is None:
        return value
    zone = "UTC" if when.utcoffset() == timedelta(0) else when.strftime("%z")
    return f"{when:%Y-%m-%d %H:%M} {zone}"


def _badge(severity: str) -> str:
    return f'<span class="badge {e(severity)}">{e(severity)}</span>'


def _ids(check: str, fingerprint: str) -> str:
    return f'<code>{e(check)}</code> · <code title="{e(fingerprint)}">{e(fingerprint[:12])}</code>'


def _header(doc: dict[str, Any], rows: list[Row], muted: list[Row]) -> Iterator[str]:
    s = doc["summary"]
    sev = s["by_severity"]
    urgent = _counts(sev, ("critical", "high"))
    lower = _counts(sev, ("medium", "low", "info"))
    if urgent:
        look, headline = "act", f"Action needed: {urgent}"
        detail = f"Also to review: {lower}." if lower else "Work down the list from the top."
    elif lower:
        look, headline = "review", f"Review: {lower}"
        detail = "Nothing critical or high; the findings below are worth a look."
    elif s["errors"]:
        look, headline = "review", "No findings, but the audit is incomplete"
        detail = "No check found anything in what could be read."
    else:
        look, headline = "clear", "No findings"
        detail = (
            "No check found anything in what was scanned; Coverage says what it could not judge."
        )
    if s["muted"]:
        detail += f" {s['muted']} muted finding(s) are listed apart."
    if s["errors"]:
        detail += f" {s['errors']} error(s): part of the input was not read (see Coverage)."
    yield (
        '<header><div class="masthead"><h1>Footprint audit</h1>'
        f'<span class="note">{e(doc["tool"]["name"])} {e(doc["tool"]["version"])} · generated '
        f'<time datetime="{e(doc["generated_at"])}">{e(stamp(doc["generated_at"]))}</time>'
        f'</span></div><div class="status {look}" role="status">'
        f'<svg viewBox="0 0 32 32" aria-hidden="true">{ICONS[look]}</svg>'
        f"<div><strong>{e(headline)}</strong><p>{e(detail)}</p></div></div>"
    )
    besides = ", ".join(f"{s[k]:,} {w}" for k, w in ALSO_SCANNED if s.get(k))
    facts = (
        ("Accounts", f"{s['accounts']:,}", ""),
        ("Posts scanned", f"{s['posts_scanned']:,}", f"+ {besides}" if besides else ""),
        ("Findings", f"{s['findings']:,}", ""),
        ("Muted", f"{s['muted']:,}", ""),
        ("Errors", f"{s['errors']:,}", "see Coverage" if s["errors"] else ""),
    )
    yield (
        '<dl class="facts">'
        + "".join(
            f"<div><dt>{e(k)}</dt><dd>{e(v)}"
            + (f'<span class="sub">{e(sub)}</span>' if sub else "")
            + "</dd></div>"
            for k, v, sub in facts
        )
        + "</dl>"
    )
    if doc.get("evidence_masked"):
        yield (
            '<p class="note masked-note">Evidence is masked; run with --show-text to see the '
            "words that fired.</p>"
        )
    places = [
        ("changes", "Since last audit", bool(doc.get("changes"))),
        ("accounts", "Accounts", True),
        ("account-findings", "Account findings", any(not r.has_post for r in rows)),
        ("posts", "Posts to clean up", any(r.has_post for r in rows)),
        ("muted", "Muted", bool(muted)),
        ("coverage", "Coverage", True),
    ]
    yield (
        '<nav aria-label="Sections">'
        + "".join(f'<a href="#{anchor}">{words}</a>' for anchor, words, shown in places if shown)
        + "</nav></header>"
    )


def _change_list(items: list[dict[str, Any]], titles: dict[str, str], linked: bool) -> str:
    out = ['<ul class="changes">']
    for seen in items[:CHANGES_SHOWN]:
        fp = seen["fingerprint"]
        what = e(seen["check"])
        if linked and fp in titles:
            what = f'<a href="#f-{e(fp)}">{e(titles[fp])}</a>'
        out.append(
            f'<li>{_badge(seen["severity"])}<span class="what">{what}</span>'
            f'<span class="where">{e(seen["account"])} · {_ids(seen["check"], fp)}</span></li>'
        )
    if len(items) > CHANGES_SHOWN:
        more = len(items) - CHANGES_SHOWN
        out.append(f'<li class="note">… and {more} more (auditor diff lists them all)</li>')
    return "".join(out) + "</ul>"


def _changes(doc: dict[str, Any], rows: list[Row]) -> Iterator[str]:
    changes = doc.get("changes")
    if not changes:
        return
    yield '<section id="changes"><h2>Since last audit</h2>'
    before = changes["previous"]
    if before is None:
        yield (
            '<p class="panel">First recorded audit of these accounts: the next report will say '
            "what changed.</p></section>"
        )
        return
    yield f'<p class="note">Compared with audit {e(before["audit"])} of {e(before["at"][:10])}.</p>'
    tiles = (
        ("new", "New", len(changes["new"])),
        ("reopened", "Reopened", len(changes["reopened"])),
        ("resolved", "Resolved", len(changes["resolved"])),
        ("open", "Still open", changes["still_open"]),
    )
    yield '<div class="tiles">' + "".join(
        f'<div class="{c}"><span class="n">{n:,}</span>{w}</div>' for c, w, n in tiles
    )
    yield "</div>"
    titles = {r.fingerprint: r.title for r in rows}
    for key, word, hint in (
        ("new", "New", ""),
        ("reopened", "Reopened", " (a mute expired, or a resolved finding came back)"),
        ("resolved", "Resolved", ""),
    ):
        if changes[key]:
            yield f'<h3>{word}<span class="note">{e(hint)}</span></h3>'
            yield _change_list(changes[key], titles, linked=key != "resolved")
    if not any(changes[k] for k in ("new", "reopened", "resolved")):
        yield '<p class="panel">Nothing changed.</p>'
    yield "</section>"


def _nice_step(top: int) -> int:
    """A tick step of 1, 2 or 5 times a power of ten: about five gridlines."""
    raw = max(top / 5, 1)
    power = 10 ** math.floor(math.log10(raw))
    return next(m * power for m in (1, 2, 5, 10) if m * power >= raw)


def _legend() -> str:
    return (
        '<ul class="legend" aria-hidden="true">'
        + "".join(f'<li><span class="c-{k}"></span>{k}</li>' for k in SEVERITY_ORDER)
        + "</ul>"
    )


def svg_chart(width: int, height: int, label: str, body: list[str]) -> str:
    """An inline SVG chart, labelled for screen readers; never drawn larger than its own size,
    and on a phone it shrinks to the screen's width."""
    return (
        f'<div class="chart"><svg viewBox="0 0 {width} {height}" width="{width}" '
        f'height="{height}" style="max-width:{width}px" '
        f'role="img" aria-label="{e(label)}"><title>{e(label)}</title>{"".join(body)}</svg></div>'
    )


def _trend_chart(recent: list[dict[str, Any]]) -> str:
    slot, left, top, plot = 48, 36, 22, 170
    width, height = max(360, left + slot * len(recent) + 10), top + plot + 80
    totals = [sum(a["by_severity"].get(k, 0) for k in SEVERITY_ORDER) for a in recent]
    step = _nice_step(max(totals, default=0))
    ceiling = max(step, math.ceil(max(totals, default=0) / step) * step)
    body = []
    for tick in range(0, ceiling + 1, step):
        y = top + plot - plot * tick / ceiling
        body.append(
            f'<line x1="{left}" x2="{width - 6}" y1="{y:.1f}" y2="{y:.1f}" stroke="#dfe3e8"/>'
            f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end">{tick}</text>'
        )
    year = None
    for i, (audit, total) in enumerate(zip(recent, totals, strict=True)):
        x = left + slot * i + (slot - 30) / 2
        y = top + plot
        words = _counts(audit["by_severity"], SEVERITY_ORDER) or "no findings"
        body.append(
            f"<g><title>Audit {e(audit['audit'])}, {e(audit['at'][:10])}: {e(words)}</title>"
        )
        for level in SEVERITY_ORDER:
            h = plot * audit["by_severity"].get(level, 0) / ceiling
            if h:
                y -= h
                body.append(
                    f'<rect class="c-{level}" x="{x:.1f}" y="{y:.1f}" width="30" '
                    f'height="{h:.1f}" stroke="#fff" stroke-width="1"/>'
                )
        body.append(
            f'<text class="total" x="{x + 15:.1f}" y="{y - 5:.1f}" text-anchor="middle">'
            f"{total}</text></g>"
        )
        # month and day on lines of their own (and the year when it changes), so twelve
        # labels fit side by side even when a phone draws them large
        when = _when(audit["at"])
        lines = [f"{when:%b}", str(when.day)] if when else [audit["at"][:10]]
        if when and when.year != year:
            year = when.year
            lines.append(str(year))
        last = ' class="current"' if i == len(recent) - 1 else ""
        for n, line in enumerate(lines):
            body.append(
                f'<text{last} x="{x + 15:.1f}" y="{top + plot + 22 + 24 * n}" '
                f'text-anchor="middle">{e(line)}</text>'
            )
    label = f"Findings by severity over the last {len(recent)} audits; totals " + ", ".join(
        map(str, totals)
    )
    return svg_chart(width, height, label, body)


def _current_chart(by_severity: dict[str, int]) -> str:
    label_w, bar_w, row = 100, 340, 30
    width, height = label_w + bar_w + 50, row * len(SEVERITY_ORDER) + 6
    most = max(by_severity.values(), default=0) or 1
    body = []
    for i, level in enumerate(SEVERITY_ORDER):
        n = by_severity.get(level, 0)
        y = 4 + row * i
        w = bar_w * n / most
        body.append(
            f'<text x="{label_w - 8}" y="{y + 17}" text-anchor="end">{level}</text>'
            f'<rect x="{label_w}" y="{y + 3}" width="{bar_w}" height="20" fill="#f1f3f5"/>'
        )
        if n:
            body.append(
                f'<rect class="c-{level}" x="{label_w}" y="{y + 3}" width="{w:.1f}" height="20"/>'
            )
        body.append(f'<text class="total" x="{label_w + w + 6:.1f}" y="{y + 18}">{n}</text>')
    label = "Findings by severity in this audit: " + (
        _counts(by_severity, SEVERITY_ORDER) or "none"
    )
    return svg_chart(width, height, label, body)


def _chart(doc: dict[str, Any]) -> Iterator[str]:
    recent = (doc.get("changes") or {}).get("recent") or []
    if len(recent) < 2:
        # with no trend to draw, this audit's bars; with no findings either, the banner says it
        if doc["summary"]["findings"]:
            yield '<section id="trend"><h2>Findings by severity in this audit</h2>'
            yield _current_chart(doc["summary"]["by_severity"]) + "</section>"
        return
    yield f'<section id="trend"><h2>Findings by severity, last {len(recent)} audits</h2>'
    yield _legend() + _trend_chart(recent)
    head = "".join(f"<th>{k}</th>" for k in SEVERITY_ORDER)
    yield (
        '<details><summary>The numbers</summary><div class="scroll"><table><thead><tr>'
        f"<th>Audit</th><th>Date</th>{head}<th>Muted</th></tr></thead><tbody>"
    )
    for a in recent:
        cells = "".join(f"<td>{e(a['by_severity'].get(k, 0))}</td>" for k in SEVERITY_ORDER)
        yield (
            f"<tr><th>{e(a['audit'])}</th><td>{e(a['at'][:10])}</td>{cells}"
            f"<td>{e(a['muted'])}</td></tr>"
        )
    yield "</tbody></table></div></details></section>"


def _cell(column: str, look: str, content: str) -> str:
    # data-label names the column where a phone shows the row as a card
    return f'<td class="cell {look}" data-label="{e(column)}"><span>{content}</span></td>'


def _check_name(check: str) -> str:
    return check.split(".", 1)[1].replace("-", " ").capitalize()


def _matrix(doc: dict[str, Any], rows: list[Row], muted: list[Row]) -> Iterator[str]:
    fired: dict[tuple[str, str], list[str]] = defaultdict(list)
    for r in rows:
        fired[(r.account, r.check)].append(r.severity)
    quiet = {(r.account, r.check) for r in muted}
    checks = sorted({c for _, c in (*fired, *quiet) if c.startswith(("settings.", "security."))})
    heads = "".join(f'<th title="{e(c)}">{e(_check_name(c))}</th>' for c in checks)
    yield (
        '<section id="accounts"><h2>Accounts: two-factor and settings</h2><div class="scroll">'
        '<table class="matrix"><thead><tr><th>Account</th><th>Two-factor</th>'
        f"<th>Private</th>{heads}</tr></thead><tbody>"
    )
    for a in doc["accounts"]:
        tfa = a["two_factor"]
        look, mark = TWO_FACTOR_LOOK.get(tfa["status"], ("unknown", "?"))
        words = f"{mark} {e(TWO_FACTOR_WORDS.get(tfa['status'], tfa['status']))}"
        if tfa["methods"]:
            words += f'<span class="sub">{e(", ".join(tfa["methods"]))}</span>'
        scanned = f"{a['role'] or 'role not set'} · {a['posts_scanned']:,} posts"
        private = {True: "yes", False: "no", None: "unknown"}[a["private"]]
        cells = [
            f'<th scope="row">{e(a["key"])}<span class="sub">{e(scanned)}</span></th>',
            _cell("Two-factor", look, words),
            _cell("Private", "", e(private)),
        ]
        lacking = {x["check"] for x in a.get("checks_lacking_evidence", ())}
        for c in checks:
            found = fired.get((a["key"], c))
            if found:
                worst = min(found, key=SEVERITY_ORDER.index)
                times = f" ×{len(found)}" if len(found) > 1 else ""
                cells.append(_cell(_check_name(c), f"sev-{e(worst)}", f"✗ {e(worst)}{times}"))
            elif (a["key"], c) in quiet:
                cells.append(_cell(_check_name(c), "unknown", "– muted"))
            elif c in lacking:
                cells.append(_cell(_check_name(c), "unknown", "? no evidence"))
            else:
                cells.append(_cell(_check_name(c), "ok", "✓ clean"))
        yield "<tr>" + "".join(cells) + "</tr>"
    yield "</tbody></table></div>"
    if not checks:
        yield '<p class="note">No security or settings check found anything on these accounts.</p>'
    yield (
        '<ul class="key note"><li><span class="ok">✓ clean</span>: checked, nothing found</li>'
        "<li>✗ severity: a finding (below)</li><li>– muted: a finding you muted</li>"
        "<li>? no evidence: the export does not show it (see Coverage)</li></ul></section>"
    )


def _post_link(post: dict[str, Any] | None) -> str:
    url = (post or {}).get("url") or ""
    parts = urlsplit(url)
    # only web links become links: an archive could hold a javascript: or file: address
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return f'<p class="ids">post {e(post["id"])}</p>' if post else ""
    return (
        f'<a class="open" href="{e(url)}" rel="noreferrer noopener">'
        f"Open the post on {e(parts.netloc)}</a>"
    )


def _evidence(evidence: list[dict[str, Any]]) -> str:
    if not evidence:
        return ""
    out = ['<dl class="evidence">']
    for item in evidence:
        hipaa = f'<span class="hipaa">HIPAA: {e(item["hipaa"])}</span>' if item.get("hipaa") else ""
        if item.get("text"):
            out.append(f"<dt>{e(item['label'])}</dt><dd><q>{e(item['text'])}</q>{hipaa}</dd>")
        else:
            # account evidence is a sentence of its own, with no words of a post to quote
            out.append(f'<dt class="whole">{e(item["label"])}{hipaa}</dt>')
    return "".join(out) + "</dl>"


def _card(f: dict[str, Any]) -> str:
    post = f["post"]
    muted = "mute" in f
    when = "account"
    if post:
        when = (post.get("created_at") or "")[:10] or "undated"
    parts = [
        f'<article class="card {e(f["severity"])}{" muted-card" if muted else ""}" '
        f'id="{"m" if muted else "f"}-{e(f["fingerprint"])}">'
        f'<div class="card-top">{_badge(f["severity"])}<span>{e(when)}</span>'
        f"<span>{e(f['account'])}</span></div><h3>{e(f['title'])}</h3>",
        _post_link(post),
    ]
    if muted:
        until = f["mute"]["until"] or "no end date"
        parts.append(
            f'<p class="mute"><strong>Muted:</strong> {e(f["mute"]["reason"])} · '
            f"until {e(until)}</p>"
        )
    else:
        parts.append(_evidence(f["evidence"]))
        parts.append(f'<div class="fix"><strong>What to do</strong>{e(f["remediation"])}</div>')
    ids = _ids(f["check"], f["fingerprint"])
    if f["references"] and not muted:
        ids += f"<br>References: {e('; '.join(f['references']))}"
    parts.append(f'<p class="ids">{ids}</p></article>')
    return "".join(parts)


def _findings(doc: dict[str, Any], rows: list[Row]) -> Iterator[str]:
    ordered = sorted(rows, key=_clean_up_order)
    accounts = [r for r in ordered if not r.has_post]
    posts = [r for r in ordered if r.has_post]
    if not rows:
        yield '<section id="posts"><h2>Findings</h2><p class="panel">No findings.</p></section>'
        return
    for anchor, heading, group in (
        ("account-findings", "Account findings", accounts),
        ("posts", "Posts to clean up", posts),
    ):
        if group:
            yield f'<section id="{anchor}"><h2>{heading} ({len(group)})</h2><div class="cards">'
            yield from (_card(doc["findings"][r.index]) for r in group)
            yield "</div></section>"


def _muted(doc: dict[str, Any], muted: list[Row]) -> Iterator[str]:
    if not muted:
        return
    yield f'<section id="muted"><h2>Muted ({len(muted)})</h2><div class="cards">'
    yield from (_card(doc["muted"][r.index]) for r in sorted(muted, key=_clean_up_order))
    yield "</div></section>"


def _coverage(doc: dict[str, Any]) -> Iterator[str]:
    cov = next(s for s in sections(doc) if s.heading == "Coverage")
    # an indented line belongs to the line above it (a source's missing files, its errors)
    items: list[tuple[str, list[str]]] = []
    for line in cov.lines:
        if line.startswith("  ") and items:
            items[-1][1].append(line.strip())
        else:
            items.append((line.strip(), []))
    yield '<section id="coverage"><h2>Coverage</h2><div class="panel"><ul class="coverage">'
    for top, subs in items:
        inner = "".join(f"<li>{e(sub)}</li>" for sub in subs)
        yield f"<li>{e(top)}" + (f"<ul>{inner}</ul>" if inner else "") + "</li>"
    yield "</ul></div></section>"


class HtmlReport(Report):
    name = "html"
    suffix = ".html"

    def render(self, doc: dict[str, Any], out: TextIO) -> None:
        rows = _rows(doc["findings"])
        muted = _rows(doc["muted"])
        title = f"Footprint audit, {doc['generated_at'][:10]}"
        out.write(
            '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f'<meta http-equiv="Content-Security-Policy" content="{POLICY}">'
            '<meta name="referrer" content="no-referrer">'
            f"<title>{e(title)}</title><style>{stylesheet()}</style></head><body><main>\n"
        )
        for part in (
            _header(doc, rows, muted),
            _changes(doc, rows),
            _chart(doc),
            _matrix(doc, rows, muted),
            _findings(doc, rows),
            _muted(doc, muted),
            _coverage(doc),
        ):
            out.writelines(part)
            out.write("\n")
        out.write(
            '<footer class="end">Written on this computer by '
            f"{e(doc['tool']['name'])} {e(doc['tool']['version'])}. This page loads nothing "
            "from the network.</footer></main></body></html>\n"
        )
