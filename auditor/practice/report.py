"""The practice review as text (the default), JSON, Markdown, CSV or HTML.

The HTML page is built like the self-audit's (`auditor.reports.html`): its stylesheet, its
Content-Security-Policy, inline SVG, nothing fetched and every string escaped, so the two
reports look alike and open the same way on a phone, a desktop or paper."""

from __future__ import annotations

import csv
import functools
import importlib.resources
import json
from typing import Any, TextIO

from tabulate import tabulate

from auditor.reports.html import ICONS, POLICY, e, stamp, stylesheet, svg_chart

FORMATS = ("text", "json", "markdown", "csv", "html")
CSV_COLUMNS = (
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
    "organisation_mfa",
)
STATUS_WORDS = {
    "current": "current",
    "stale": "TOO OLD",
    "missing": "MISSING",
    "malformed": "UNREADABLE",
    "newer-schema": "NEWER FORMAT",
    "other-practice": "OTHER PRACTICE",
}


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.0%}"


def _org(m: dict[str, Any]) -> str:
    org = m.get("organisation_mfa")
    if not org:
        return "-"
    return f"{org['source']}: {org['level']}{'' if org['meets_policy'] else ' (below policy)'}"


def _member_cells(m: dict[str, Any]) -> tuple[Any, ...]:
    return (
        m["name"],
        m["role"] or "",
        STATUS_WORDS[m["summary"]["status"]],
        m["audit_date"] or "-",
        m["accounts"],
        f"{m['accounts'] - m['below_policy']}/{m['accounts']}",
        m["open_high"],
        m["risky_posts"],
        _org(m),
    )


HEADERS = (
    "Member",
    "Role",
    "Summary",
    "Audited",
    "Accounts",
    "2FA ok",
    "High",
    "Posts",
    "Work MFA",
)


def _figures(doc: dict[str, Any]) -> list[str]:
    f = doc["figures"]
    lines = [
        f"{f['members']} member(s), {f['members_with_current_audit']} with a current audit "
        f"({_pct(f['share_current_audit'])}); {f['members_with_open_high']} with open critical "
        "or high findings.",
        f"{f['accounts_in_scope']} account(s) in scope: {_pct(f['share_with_two_factor'])} with "
        f"two-factor, {_pct(f['share_with_app_or_key'])} with an app or key; "
        f"{f['accounts_meeting_policy']} meet the policy "
        f"({doc['policy']['required_two_factor']} or stronger).",
    ]
    if doc.get("organisation_mfa_sources"):
        lines.append(
            f"Work accounts: {f['members_in_organisation_mfa']} member(s) known to the identity "
            f"provider, {f['members_organisation_mfa_meeting_policy']} meeting the policy."
        )
        for src in doc["organisation_mfa_sources"]:
            if src["error"]:
                lines.append(f"{src['source']} not read: {src['error']}")
    return lines


def _unusable(doc: dict[str, Any]) -> list[dict[str, Any]]:
    return [m for m in doc["members"] if m["summary"]["status"] != "current"]


def _markdown(doc: dict[str, Any], out: TextIO) -> None:
    def cell(value: Any) -> str:
        return str(value).replace("|", "\\|").replace("\n", " ")

    out.write(f"# Security review: {doc['practice']} ({doc['generated_at'][:10]})\n\n")
    for line in _figures(doc):
        out.write(f"- {line}\n")
    out.write("\n## Top actions\n\n")
    for n, action in enumerate(doc["actions"], 1):
        out.write(f"{n}. {cell(action)}\n")
    if not doc["actions"]:
        out.write("None: every member meets the policy.\n")
    out.write("\n## Policy checklist\n\n")
    for item in doc["checklist"]:
        out.write(f"- [{'x' if item['passed'] else ' '}] {item['rule']}: {cell(item['detail'])}\n")
    out.write("\n## Members\n\n")
    rows = [tuple(cell(c) for c in _member_cells(m)) for m in doc["members"]]
    out.write(tabulate(rows, headers=HEADERS, tablefmt="github") + "\n")
    if _unusable(doc):
        out.write("\n## Summaries missing, too old or unusable (never counted as clean)\n\n")
        for m in _unusable(doc):
            out.write(f"- {cell(m['name'])}: {cell(m['summary']['detail'])}\n")


def _csv(doc: dict[str, Any], out: TextIO) -> None:
    rows = csv.writer(out, lineterminator="\n")
    rows.writerow(CSV_COLUMNS)
    for m in doc["members"]:
        tfa = m["two_factor"]
        rows.writerow(
            (
                m["name"],
                m["email"],
                m["role"] or "",
                m["summary"]["status"],
                m["summary"]["detail"],
                m["audit_date"] or "",
                m["accounts"],
                m["accounts"] - m["below_policy"],
                tfa["enabled"],
                tfa["sms"],
                tfa["disabled"],
                tfa["unknown"],
                m["open_high"],
                m["risky_posts"],
                m["mixed_practice_accounts"],
                "" if not m.get("organisation_mfa") else _org(m),
            )
        )


# (class, mark, words) per summary status: the mark and word keep the meaning without colour
SUMMARY_LOOK = {
    "current": ("ok", "✓", "Current"),
    "stale": ("warn", "!", "Too old"),
    "missing": ("bad", "✗", "Missing"),
    "malformed": ("bad", "✗", "Unreadable"),
    "newer-schema": ("bad", "✗", "Newer format"),
    "other-practice": ("bad", "✗", "Other practice"),
}
USABLE = ("current", "stale")


@functools.cache
def review_stylesheet() -> str:
    """What the self-audit's stylesheet lacks: the checklist, the actions, the status chart
    and the member table's own columns (review.css, beside this module)."""
    return importlib.resources.files("auditor.practice").joinpath("review.css").read_text("utf-8")


def _rich(text: str) -> str:
    # the actions quote commands between backticks; everything else stays plain text
    parts = str(text).split("`")
    if len(parts) % 2 == 0:
        return e(text)
    return "".join(f"<code>{e(p)}</code>" if i % 2 else e(p) for i, p in enumerate(parts))


def _look(status: str) -> tuple[str, str, str]:
    return SUMMARY_LOOK.get(status, ("bad", "✗", status))


def _fraction(part: int, whole: int, share: float | None) -> str:
    return f"{part} of {whole}" + ("" if share is None else f" · {_pct(share)}")


def _html_header(doc: dict[str, Any]) -> str:
    failing = [c for c in doc["checklist"] if not c["passed"]]
    # a summary too old counts here as in the checklist: it says nothing about today
    unusable = len(_unusable(doc))
    errors = [s for s in doc.get("organisation_mfa_sources", ()) if s["error"]]
    if failing:
        look = "act"
        headline = f"Action needed: {len(failing)} of {len(doc['checklist'])} policy rules not met"
        detail = "Start with the top actions below."
    elif doc["actions"]:
        look = "review"
        headline = "Policy met, with something to follow up"
        detail = "Every rule of the checklist holds; the actions below are still worth doing."
    else:
        look = "clear"
        headline = "Policy met"
        detail = "Every member has a current audit and every account in scope meets the policy."
    if unusable:
        detail += f" {unusable} member(s) have no current summary: they are never counted as clean."
    if errors:
        names = ", ".join(s["source"] for s in errors)
        detail += f" Not read: {names} (see the figures)."
    policy = doc["policy"]
    rules = [
        f"{policy['required_two_factor']} two-factor or stronger",
        f"audits at most {policy['max_audit_age_days']} days old",
        "personal accounts in scope"
        if policy["personal_accounts_in_scope"]
        else "personal accounts out of scope",
    ]
    if policy["practice_accounts_separate"]:
        rules.append("practice accounts kept apart from personal life")
    return (
        '<header><div class="masthead"><h1>Practice security review'
        f'<span class="practice">{e(doc["practice"])}</span></h1>'
        f'<span class="note">{e(doc["tool"]["name"])} {e(doc["tool"]["version"])} · generated '
        f'<time datetime="{e(doc["generated_at"])}">{e(stamp(doc["generated_at"]))}</time>'
        f'</span></div><div class="status {look}" role="status">'
        f'<svg viewBox="0 0 32 32" aria-hidden="true">{ICONS[look]}</svg>'
        f"<div><strong>{e(headline)}</strong><p>{e(detail)}</p></div></div>"
        f'<p class="note policy-line">Policy: {e(" · ".join(rules))}</p>'
    )


def _html_figures(doc: dict[str, Any]) -> str:
    f = doc["figures"]
    not_counted = len(_unusable(doc))
    scope = "all roles" if doc["policy"]["personal_accounts_in_scope"] else "professional, practice"
    accounts = f["accounts_in_scope"]
    tiles = [
        ("Members", str(f["members"]), "in the roster"),
        (
            "Current audit",
            _pct(f["share_current_audit"]),
            f"{f['members_with_current_audit']} of {f['members']} members",
        ),
        ("Not counted as clean", str(not_counted), "missing, too old or unusable"),
        ("Open critical or high", str(f["members_with_open_high"]), "members"),
        ("Accounts in scope", str(accounts), scope),
        (
            "Two-factor on",
            _pct(f["share_with_two_factor"]),
            f"{f['accounts_with_two_factor']} of {accounts} accounts",
        ),
        (
            "App or key",
            _pct(f["share_with_app_or_key"]),
            f"{f['accounts_with_app_or_key']} of {accounts} accounts",
        ),
        (
            "Meet the policy",
            f"{f['accounts_meeting_policy']} of {accounts}",
            f"{doc['policy']['required_two_factor']} two-factor or stronger",
        ),
    ]
    sources = doc.get("organisation_mfa_sources") or []
    if sources:
        tiles.append(
            (
                "Work MFA meets policy",
                f"{f['members_organisation_mfa_meeting_policy']} of "
                f"{f['members_in_organisation_mfa']}",
                "members known to the identity provider",
            )
        )
    # four to a row when they fill the rows (eight, without work MFA), else three
    out = [f'<dl class="facts {"four" if len(tiles) % 4 == 0 else "three"}">']
    for name, value, sub in tiles:
        out.append(
            f'<div><dt>{e(name)}</dt><dd class="pct">{e(value)}'
            f'<span class="sub">{e(sub)}</span></dd></div>'
        )
    out.append("</dl>")
    for src in sources:
        if src["error"]:
            out.append(
                f'<p class="note">Work accounts: {e(src["source"])} not read: '
                f"{_rich(src['error'])}</p>"
            )
        else:
            out.append(
                f'<p class="note">Work accounts: {e(src["users"])} user(s) read from '
                f"{e(src['source'])}.</p>"
            )
    return "".join(out)


def _bars_chart(doc: dict[str, Any]) -> str:
    f = doc["figures"]
    bars = [
        ("Accounts with two-factor", f["accounts_with_two_factor"], f["accounts_in_scope"]),
        ("Accounts with an app or key", f["accounts_with_app_or_key"], f["accounts_in_scope"]),
        ("Accounts meeting the policy", f["accounts_meeting_policy"], f["accounts_in_scope"]),
        ("Members with a current audit", f["members_with_current_audit"], f["members"]),
    ]
    # the label sits above its bar and the value at the row's end, so the rows keep their
    # width when a phone shrinks the chart and draws its words larger
    width, row = 560, 68
    body = []
    words = []
    for i, (label, part, whole) in enumerate(bars):
        y = 6 + row * i
        value = _fraction(part, whole, part / whole if whole else None) if whole else "none"
        words.append(f"{label}: {value}")
        body.append(
            f'<text x="0" y="{y + 22}">{e(label)}</text>'
            f'<text class="value" x="{width}" y="{y + 22}" text-anchor="end">{e(value)}</text>'
            f'<rect class="track" x="0" y="{y + 34}" width="{width}" height="20" rx="3"/>'
        )
        if whole and part:
            body.append(
                f'<rect class="bar" x="0" y="{y + 34}" width="{width * part / whole:.1f}" '
                'height="20" rx="3"/>'
            )
    return svg_chart(width, row * len(bars) + 4, "; ".join(words), body)


def _status_chart(doc: dict[str, Any]) -> str:
    counts: dict[str, int] = {}
    for m in doc["members"]:
        counts[m["summary"]["status"]] = counts.get(m["summary"]["status"], 0) + 1
    order = [s for s in SUMMARY_LOOK if counts.get(s)] + [
        s for s in counts if s not in SUMMARY_LOOK
    ]
    total = sum(counts.values())
    width, height = 400, 44
    body = [f'<rect class="track" x="0" y="4" width="{width}" height="36" rx="4"/>']
    x = 0.0
    for status in order:
        w = width * counts[status] / total
        body.append(
            f'<rect class="s-{e(status)}" x="{x:.1f}" y="4" width="{w:.1f}" height="36" '
            f'stroke="#fff" stroke-width="2"><title>{e(_look(status)[2])}: '
            f"{counts[status]}</title></rect>"
        )
        x += w
    words = ", ".join(f"{_look(s)[2].lower()} {counts[s]}" for s in order) or "no members"
    legend = "".join(
        f'<li><span class="s-{e(s)}"></span>{e(_look(s)[2])}: <strong>{counts[s]}</strong></li>'
        for s in order
    )
    current = counts.get("current", 0)
    if current == total:
        said = "Every member's summary is current."
    else:
        rest = total - current
        said = f"{current} of {total} members have a current summary; " + (
            "the other one is listed under Not counted as clean."
            if rest == 1
            else f"the other {rest} are listed under Not counted as clean."
        )
    return (
        svg_chart(width, height, f"Members by summary: {words}", body)
        + f'<ul class="legend counts" aria-hidden="true">{legend}</ul>'
        + f'<p class="note">{e(said)}</p>'
    )


def _html_glance(doc: dict[str, Any]) -> str:
    return (
        '<section id="glance"><h2>At a glance</h2><div class="glance">'
        '<div class="panel"><h3>Second factors and audits</h3>'
        f"{_bars_chart(doc)}</div>"
        f'<div class="panel"><h3>Members by summary</h3>{_status_chart(doc)}</div>'
        "</div></section>"
    )


def _html_actions(doc: dict[str, Any]) -> str:
    names = sorted({m["name"] for m in doc["members"]}, key=len, reverse=True)
    items = []
    for action in doc["actions"][:5]:
        # the member the action is about, in bold: the longest name it starts with
        who = next((n for n in names if action.startswith(f"{n}: ")), None)
        if who is None:
            items.append(f"<li>{_rich(action)}</li>")
        else:
            items.append(f"<li><strong>{e(who)}</strong>{_rich(action[len(who) :])}</li>")
    if not items:
        body = '<p class="panel">None: every member meets the policy.</p>'
    else:
        body = f'<ol class="actions">{"".join(items)}</ol>'
    return f'<section id="actions"><h2>Top actions</h2>{body}</section>'


def _html_checklist(doc: dict[str, Any]) -> str:
    items = []
    for item in doc["checklist"]:
        passed = item["passed"]
        rule = item["rule"][:1].upper() + item["rule"][1:]
        items.append(
            f'<li class="{"pass" if passed else "fail"}">'
            f'<span class="mark" aria-hidden="true">{"✓" if passed else "✗"}</span>'
            f"<div><strong>{e(rule)}</strong>"
            f'<span class="verdict">{"Met" if passed else "Not met"}</span>'
            f'<p class="note">{e(item["detail"])}</p></div></li>'
        )
    return (
        '<section id="checklist"><h2>Policy checklist</h2><div class="panel">'
        f'<ul class="checklist">{"".join(items)}</ul></div>'
        '<p class="note">A rule is not met while any member lacks a current summary: what was '
        "not seen is not passed.</p></section>"
    )


def _td(column: str, look: str, content: str, num: bool = False) -> str:
    # data-label names the column where a phone shows the row as a card
    classes = " ".join(c for c in ("cell", look, "num" if num else "") if c)
    return f'<td class="{classes}" data-label="{e(column)}"><span>{content}</span></td>'


def _two_factor_words(tfa: dict[str, int]) -> str:
    words = (("enabled", "on"), ("sms", "SMS"), ("disabled", "off"), ("unknown", "unknown"))
    return ", ".join(f"{tfa[k]} {w}" for k, w in words if tfa.get(k)) or "–"


def _member_row(m: dict[str, Any], work_mfa: bool) -> str:
    look, mark, word = _look(m["summary"]["status"])
    sub = " · ".join(x for x in (m["email"], m["role"]) if x)
    cells = [
        f'<th scope="row">{e(m["name"])}<span class="sub">{e(sub)}</span></th>',
        _td("Summary", look, f"{mark} {e(word)}"),
        _td("Audited", "" if m["audit_date"] else "unknown", e(m["audit_date"] or "–")),
    ]
    if m["summary"]["status"] in USABLE:
        meets = m["accounts"] - m["below_policy"]
        cells += [
            _td(
                "Meet policy",
                "bad" if m["below_policy"] else ("ok" if m["accounts"] else "unknown"),
                e(f"{meets} of {m['accounts']}"),
                num=True,
            ),
            _td("Two-factor", "", e(_two_factor_words(m["two_factor"]))),
            _td(
                "Open critical or high",
                "bad" if m["open_high"] else "ok",
                e(m["open_high"]),
                num=True,
            ),
            _td("Risky posts", "", e(m["risky_posts"]), num=True),
            _td(
                "Mixed accounts",
                "bad" if m["mixed_practice_accounts"] else "",
                e(m["mixed_practice_accounts"]),
                num=True,
            ),
        ]
    else:
        # no usable summary: its zero counts are unknowns, never a clean record
        cells.append(
            '<td class="cell unknown" colspan="5" data-label="Accounts">'
            "<span>– not known: no usable summary</span></td>"
        )
    if work_mfa:
        org = m.get("organisation_mfa")
        if org is None:
            cells.append(_td("Work MFA", "unknown", "–"))
        else:
            # the level on the line, its source beneath: the column stays narrow enough
            # for the table to fit a desktop page and paper
            ok = org["meets_policy"]
            sub = org["source"] + ("" if ok else " · below policy")
            cells.append(
                _td(
                    "Work MFA",
                    "ok" if ok else "bad",
                    f'{"✓" if ok else "✗"} {e(org["level"])}<span class="sub">{e(sub)}</span>',
                )
            )
    return "<tr>" + "".join(cells) + "</tr>"


def _html_members(doc: dict[str, Any]) -> str:
    work_mfa = bool(doc.get("organisation_mfa_sources")) or any(
        m.get("organisation_mfa") for m in doc["members"]
    )
    heads = [
        ("Member", False),
        ("Summary", False),
        ("Audited", False),
        ("Meet policy", True),
        ("Two-factor", False),
        ("Open high", True),
        ("Risky posts", True),
        ("Mixed", True),
    ]
    if work_mfa:
        heads.append(("Work MFA", False))
    head = "".join(f"<th{' class=num' if num else ''}>{e(h)}</th>" for h, num in heads)
    rows = "".join(_member_row(m, work_mfa) for m in doc["members"])
    return (
        f'<section id="members"><h2>Members ({len(doc["members"])})</h2><div class="scroll">'
        f'<table class="matrix members"><thead><tr>{head}</tr></thead><tbody>{rows}</tbody>'
        "</table></div>"
        '<p class="note">Meet policy: accounts in scope at the required two-factor level or '
        "stronger. Open high: critical or high findings and risky posts. Mixed: professional "
        "accounts that mix in personal posts.</p>"
        "</section>"
    )


def _html_not_counted(doc: dict[str, Any]) -> str:
    rows = _unusable(doc)
    if not rows:
        return ""
    items = []
    for m in rows:
        look, mark, word = _look(m["summary"]["status"])
        items.append(
            f'<li><strong>{e(m["name"])}</strong><span class="state {look}">{mark} {e(word)}'
            f'</span><span class="detail">{e(m["summary"]["detail"])}</span></li>'
        )
    return (
        f'<section id="not-counted"><h2>Not counted as clean ({len(rows)})</h2>'
        '<p class="note">Summaries missing, too old or unusable: ask these members for a new '
        "<code>auditor audit --share</code>.</p>"
        f'<div class="panel"><ul class="not-counted">{"".join(items)}</ul></div></section>'
    )


def _html(doc: dict[str, Any], out: TextIO) -> None:
    title = f"Security review: {doc['practice']}, {doc['generated_at'][:10]}"
    places = [
        ("actions", "Top actions"),
        ("checklist", "Policy checklist"),
        ("members", "Members"),
    ]
    if _unusable(doc):
        places.append(("not-counted", "Not counted"))
    nav = "".join(f'<a href="#{a}">{e(w)}</a>' for a, w in places)
    out.write(
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f'<meta http-equiv="Content-Security-Policy" content="{POLICY}">'
        '<meta name="referrer" content="no-referrer">'
        f"<title>{e(title)}</title><style>{stylesheet()}{review_stylesheet()}</style></head>"
        "<body><main>\n"
    )
    out.write(_html_header(doc) + _html_figures(doc))
    out.write(f'<nav aria-label="Sections">{nav}</nav></header>\n')
    for part in (
        _html_glance(doc),
        _html_actions(doc),
        _html_checklist(doc),
        _html_members(doc),
        _html_not_counted(doc),
    ):
        out.write(part + "\n")
    out.write(
        '<footer class="end">Written on this computer by '
        f"{e(doc['tool']['name'])} {e(doc['tool']['version'])} from the members' shared "
        "summaries, which hold no post. This page loads nothing from the network.</footer>"
        "</main></body></html>\n"
    )


def render(doc: dict[str, Any], fmt: str, out: TextIO) -> None:
    """Write the review document in one of FORMATS."""
    if fmt == "json":
        json.dump(doc, out, indent=2, ensure_ascii=False)
        out.write("\n")
        return
    if fmt == "markdown":
        _markdown(doc, out)
        return
    if fmt == "csv":
        _csv(doc, out)
        return
    if fmt == "html":
        _html(doc, out)
        return
    out.write(f"Security review: {doc['practice']} ({doc['generated_at'][:10]})\n")
    out.write("=" * 60 + "\n")
    out.write("\n".join(_figures(doc)) + "\n\n")
    out.write("Top actions\n-----------\n")
    for n, action in enumerate(doc["actions"], 1):
        out.write(f"{n}. {action}\n")
    if not doc["actions"]:
        out.write("None: every member meets the policy.\n")
    out.write("\nPolicy checklist\n----------------\n")
    for item in doc["checklist"]:
        out.write(f"[{'x' if item['passed'] else ' '}] {item['rule']}: {item['detail']}\n")
    out.write("\nMembers\n-------\n")
    rows = [_member_cells(m) for m in doc["members"]]
    out.write(tabulate(rows, headers=HEADERS, tablefmt="simple"))
    out.write("\n")
    if _unusable(doc):
        out.write("\nSummaries missing, too old or unusable (never counted as clean)\n")
        for m in _unusable(doc):
            out.write(f"  {m['name']}: {m['summary']['detail']}\n")
