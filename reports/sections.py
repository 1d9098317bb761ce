"""The report's sections as headings, lines and tables: shared by the text and Markdown views."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from auditor.reports.csv_report import evidence_line

SEVERITY_ORDER = ("critical", "high", "medium", "low", "info")
# a data set older than this gets a hint to refresh it in the coverage
STALE_DAYS = 90
TWO_FACTOR_WORDS = {
    "enabled": "on (app, key or unnamed method)",
    "sms": "SMS only",
    "disabled": "OFF",
    "unknown": "unknown",
}


@dataclass
class Section:
    heading: str
    lines: list[str] = field(default_factory=list)
    headers: tuple[str, ...] = ()
    rows: list[tuple[str, ...]] = field(default_factory=list)
    widths: tuple[int | None, ...] = ()


def _scanned(account: dict[str, Any]) -> str:
    comments = account.get("comments_scanned", 0)
    messages = account.get("messages_scanned", 0)
    text = f"{account['posts_scanned']:,}"
    if comments:
        text += f" + {comments:,} comments"
    if messages:
        text += f"\n{messages:,} DMs, not shown"
    return text


def _date(f: dict[str, Any]) -> str:
    post = f.get("post")
    if post and post.get("created_at"):
        return post["created_at"][:10]
    return "account" if not post else "undated"


def _finding_cell(f: dict[str, Any]) -> str:
    parts = [f["title"]]
    if f["post"] and f["post"]["url"]:
        parts.append(f["post"]["url"])
    if f["evidence"]:
        parts.append(f"Evidence: {evidence_line(f['evidence'])}")
    parts.append(f"[{f['check']} {f['fingerprint'][:12]}]")
    return "\n".join(parts)


# the "since last audit" table names this many findings of each kind, then counts the rest
CHANGES_SHOWN = 20


def since_last_audit(doc: dict[str, Any]) -> Section | None:
    """What changed since the last recorded audit of these accounts (None: no history)."""
    changes = doc.get("changes")
    if not changes:
        return None
    sec = Section("Since last audit")
    before = changes["previous"]
    if before is None:
        sec.lines.append(
            f"First recorded audit of these accounts (audit {changes['audit']}): the next "
            "report will say what is new, reopened and resolved."
        )
        return sec
    kinds = (("new", "new"), ("reopened", "reopened"), ("resolved", "resolved"))
    sec.lines.append(
        f"Compared with audit {before['audit']} of {before['at'][:10]}: "
        + ", ".join(f"{len(changes[key])} {word}" for key, word in kinds)
        + f", {changes['still_open']} still open."
    )
    if not any(changes[key] for key, _ in kinds):
        sec.lines.append("Nothing changed.")
        return sec
    wanted = {s["fingerprint"] for s in (*changes["new"], *changes["reopened"])}
    titles = {f["fingerprint"]: f for f in doc["findings"] if f["fingerprint"] in wanted}
    sec.headers = ("Change", "Severity", "Account", "Finding")
    sec.widths = (9, 8, 18, 70)
    for key, word in kinds:
        items = changes[key]
        for seen in items[:CHANGES_SHOWN]:
            full = titles.get(seen["fingerprint"])
            what = full["title"] if full else "no longer found"
            sec.rows.append(
                (
                    word,
                    seen["severity"],
                    seen["account"],
                    f"{what}\n[{seen['check']} {seen['fingerprint'][:12]}]",
                )
            )
        if len(items) > CHANGES_SHOWN:
            more = len(items) - CHANGES_SHOWN
            sec.rows.append((word, "", "", f"... and {more} more (auditor diff lists them all)"))
    return sec


def sections(doc: dict[str, Any]) -> Iterator[Section]:
    s = doc["summary"]
    counts = ", ".join(f"{s['by_severity'][k]} {k}" for k in SEVERITY_ORDER if s["by_severity"][k])
    head = Section("Footprint audit")
    head.lines.append(
        f"{doc['tool']['name']} {doc['tool']['version']}, generated {doc['generated_at']}"
    )
    line = (
        f"{s['accounts']} account(s), {s['posts_scanned']:,} posts scanned: "
        f"{s['findings']} finding(s)"
    )
    if counts:
        line += f" ({counts})"
    if s["muted"]:
        line += f", {s['muted']} muted"
    if s["errors"]:
        line += f", {s['errors']} error(s): see Coverage"
    head.lines.append(line + ".")
    if doc.get("evidence_masked"):
        head.lines.append("Evidence is masked; run with --show-text to see the words that fired.")
    yield head
    changed = since_last_audit(doc)
    if changed is not None:
        yield changed

    accounts = Section(
        "Accounts", headers=("Account", "Role", "Posts scanned", "Two-factor", "Private")
    )
    for a in doc["accounts"]:
        private = {True: "yes", False: "no", None: "unknown"}[a["private"]]
        accounts.rows.append(
            (
                a["key"],
                a["role"] or "not set",
                _scanned(a),
                TWO_FACTOR_WORDS.get(a["two_factor"]["status"], a["two_factor"]["status"]),
                private,
            )
        )
    yield accounts

    for level in SEVERITY_ORDER:
        group = [f for f in doc["findings"] if f["severity"] == level]
        if not group:
            continue
        sec = Section(
            f"{level.upper()} ({len(group)})",
            headers=("Date", "Account", "Finding", "What to do"),
            widths=(10, 18, 60, 44),
        )
        for f in group:
            sec.rows.append((_date(f), f["account"], _finding_cell(f), f["remediation"]))
        yield sec

    if not doc["findings"]:
        yield Section("Findings", lines=["No findings."])

    if doc["muted"]:
        sec = Section(
            f"Muted ({len(doc['muted'])})",
            headers=("Severity", "Finding", "Muted because", "Until"),
            widths=(8, 60, 30, 10),
        )
        for f in doc["muted"]:
            sec.rows.append(
                (f["severity"], _finding_cell(f), f["mute"]["reason"], f["mute"]["until"] or "-")
            )
        yield sec

    cov = Section("Coverage")
    for src in doc["coverage"]["sources"]:
        what = f"{src['platform']} ({src['layout']})" if src["platform"] else "not read"
        cov.lines.append(
            f"{src['path']}: {what}; {src['posts_read']:,} records read, "
            f"{src['reposts_skipped']:,} reposts skipped; {len(src['files_found'])} files found"
            + (f"; {src['messages_read']:,} direct messages read" if src["messages_read"] else "")
        )
        for m in src["files_missing"]:
            cov.lines.append(f"  missing: {m}")
        for sk in src["checks_skipped"]:
            cov.lines.append(f"  skipped: {sk['check']} ({sk['reason']})")
        for e in src["errors"]:
            cov.lines.append(f"  error: {e['file']}: {e['message']}")
        cov.lines.extend(f"  {line}" for line in photo_lines(src.get("photos")))
    for e in doc["coverage"]["check_errors"]:
        cov.lines.append(f"error in {e['check']}: {e['message']}")
    for a in doc["accounts"]:
        ev = a.get("security_evidence")
        if ev is None:
            continue
        cov.lines.append(
            f"{a['key']}: security evidence: two-factor {'yes' if ev['two_factor'] else 'no'}, "
            f"{ev['sessions']} sessions, {ev['logins']} logins, {ev['connected_apps']} apps, "
            f"authenticator entry {'yes' if ev['authenticator_entry'] else 'no'}, "
            f"password-manager login {'yes' if ev['password_login'] else 'no'}, "
            f"{ev['settings']} settings, profile {'yes' if ev['profile'] else 'no'}"
        )
        lacking = a.get("checks_lacking_evidence", ())
        if lacking:
            cov.lines.append("  nothing to judge for: " + ", ".join(x["check"] for x in lacking))
        # a setting the export does not show: say where the user can look (one line for
        # the checks that share a reason, such as a role the config does not give)
        by_reason: dict[str, list[str]] = {}
        for x in lacking:
            if x["check"].startswith("settings."):
                by_reason.setdefault(x["reason"], []).append(x["check"])
        for reason, checks in by_reason.items():
            named = checks[0] if len(checks) == 1 else f"{len(checks)} settings checks"
            cov.lines.append(f"  {named}: {reason}")
    for d in doc.get("data_sets", ()):
        origin = "bundled snapshot" if d.get("source", "bundled") == "bundled" else "copy"
        stale = "; `auditor data update` refreshes it" if d["age_days"] > STALE_DAYS else ""
        cov.lines.append(
            f"{d['name']} {origin} of {d['snapshot']} ({d['age_days']} days old{stale})"
        )
        if d.get("note"):
            cov.lines.append(f"  {d['note']}")
    for c in doc["coverage"].get("credentials", ()):
        if c["error"]:
            cov.lines.append(f"{c['path']}: {c['kind']} export not read: {c['error']}")
            continue
        on = ", ".join(c["platforms"]) or "no audited platform"
        cov.lines.append(
            f"{c['path']}: {c['kind']} export ({c['format']}), {c['entries']} entries; "
            f"entries for {on}"
        )
        for s in c["skipped"]:
            cov.lines.append(f"  left out: {s}" if c["kind"] == "authenticator" else f"  {s}")
    yield cov


def photo_lines(photos: dict[str, Any] | None) -> list[str]:
    """What became of a source's attached photos, one line each: analysed, skipped, not."""
    if not photos:
        return []
    found, videos = photos["found"], photos["videos"]
    also = f"; {videos:,} attached video{'' if videos == 1 else 's'} not analysed" if videos else ""
    if photos["disabled"]:
        return [f"photos: {found:,} not analysed (--no-media){also}"]
    lines = []
    if photos["location_only"]:
        lines.append(
            f"photos: {found:,} found, {photos['location_only']:,} read for location only; "
            f"{photos['location_only']:,} photos not analysed for text, codes or people: "
            f"install the media extra (pip install '.[media]' in the auditor's folder){also}"
        )
    else:
        cached = f" ({photos['cached']:,} from the media cache)" if photos["cached"] else ""
        lines.append(f"photos: {found:,} found, {photos['analysed']:,} analysed{cached}{also}")
        if photos["missing_engines"]:
            lines.append(
                "photos: not looked for: "
                + ", ".join(photos["missing_engines"])
                + ": install the media extra (pip install '.[media]' in the auditor's folder)"
            )
    lines.extend(f"photo skipped: {line}" for line in photos["skipped"])
    return lines
