"""A member's summary of their own audit for their employer (`auditor.share/1`): per account
its platform, role, two-factor status and method, the settings and security findings, and
counts of risky posts by check and severity. Never a post's text, id or link, a message, a
secret, or a personal account's handle; posts about working conditions are left out unless the
member opts in (such speech may be protected under the US National Labor Relations Act).

Built from the report document, so it can hold nothing the audit did not find, and from an
allow-list of fields, so a field added to the report later never leaks into it."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from auditor import __version__
from auditor.config import Config
from auditor.errors import AuditorError

SCHEMA = "auditor.share/1"
# the evidence kinds that mark a post as about working conditions (content.unprofessional)
WORKING_CONDITIONS = frozenset({"working_conditions", "employer"})
# account-level findings whose check id and severity the employer may see: the account's
# security and settings, and whether it mixes professional and personal posts
ACCOUNT_CHECKS = ("security.", "settings.", "content.mixed-account")
SEVERITIES = ("critical", "high", "medium", "low", "info")


def summary(doc: Mapping[str, Any], config: Config, titles: Mapping[str, str]) -> dict[str, Any]:
    """The shareable summary of one audit's report document. `titles` gives each check's
    generic title (its metadata, never a finding's own words)."""
    by_key = {a.key.casefold(): a for a in config.accounts}
    opted_in = config.share_working_conditions
    accounts: dict[str, dict[str, Any]] = {}
    for n, acc in enumerate(doc["accounts"]):
        cfg = by_key.get(acc["key"].casefold())
        role = acc.get("role") or (cfg.role if cfg else None)
        shows_handle = cfg.shares_handle if cfg else role in ("professional", "practice")
        accounts[acc["key"]] = {
            "ref": f"account-{n + 1}",
            "platform": acc["platform"],
            "role": role,
            "handle": (acc.get("handle") or (cfg.handle if cfg else None))
            if shows_handle
            else None,
            "two_factor": {
                "status": acc["two_factor"]["status"],
                "methods": list(acc["two_factor"]["methods"]),
            },
            "private": acc.get("private"),
            "findings": [],
            "risky_posts": {},
            "risky_posts_total": 0,
        }
    for f in doc["findings"]:
        entry = accounts.get(f["account"])
        if entry is None:
            continue
        if f["check"].startswith(ACCOUNT_CHECKS) and f["post"] is None:
            entry["findings"].append(
                {
                    "check": f["check"],
                    "severity": f["severity"],
                    "title": titles.get(f["check"], f["check"]),
                }
            )
        elif f["check"].startswith("content.") and f["post"] is not None:
            # a flagged post: counted, never described
            kinds = {e["kind"] for e in f["evidence"]}
            if kinds & WORKING_CONDITIONS and not opted_in:
                # not even counted as left out: the count itself would tell
                continue
            counts = entry["risky_posts"].setdefault(f["check"], dict.fromkeys(SEVERITIES, 0))
            counts[f["severity"]] += 1
            entry["risky_posts_total"] += 1
    for entry in accounts.values():
        entry["findings"].sort(key=lambda x: (SEVERITIES.index(x["severity"]), x["check"]))
    return {
        "schema": SCHEMA,
        "generated_at": doc["generated_at"],
        "audit_date": doc["generated_at"][:10],
        "tool": {"name": doc["tool"]["name"], "version": __version__},
        "member": {
            "name": config.owner_name,
            "email": config.owner_email,
            "practice": config.practice,
        },
        "working_conditions_included": opted_in,
        "accounts": list(accounts.values()),
        "coverage": {
            "sources_read": sum(1 for s in doc["coverage"]["sources"] if s["platform"]),
            "errors": doc["summary"]["errors"],
        },
    }


def check_titles() -> dict[str, str]:
    from auditor.plugins import discover

    return {cid: c.meta.title for cid, c in discover().checks.items()}


def write(path: Path, data: Mapping[str, Any]) -> None:
    """Owner-only, written whole or not at all (a half summary would read as a clean one)."""
    partial = path.with_name(f".{path.name}.partial")
    try:
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with open(fd, "w", encoding="utf-8") as out:
            json.dump(data, out, indent=2, ensure_ascii=False)
            out.write("\n")
        os.replace(partial, path)
    except OSError as exc:
        raise AuditorError(f"{path}: the summary could not be written ({exc.strerror})") from exc


def describe(data: Mapping[str, Any]) -> list[str]:
    """The summary in words, for `auditor share --show`: every fact it holds, nothing else."""
    member = data.get("member", {})
    who = member.get("name") or "(no [owner] name in the config)"
    employer = member.get("practice") or "your employer"
    lines = [
        f"Summary of the audit of {data.get('audit_date')} for {employer}",
        f"  member: {who}, e-mail {member.get('email') or '(none given)'}",
        "  posts about working conditions: "
        + ("counted (you opted in)" if data.get("working_conditions_included") else "left out"),
    ]
    for acc in data.get("accounts", []):
        handle = acc.get("handle") or "handle not shared"
        tfa = acc["two_factor"]
        methods = f" ({', '.join(tfa['methods'])})" if tfa["methods"] else ""
        lines.append(
            f"  {acc['ref']}: {acc['platform']}, {acc['role'] or 'role not set'}, {handle}; "
            f"two-factor {tfa['status']}{methods}"
        )
        for f in acc["findings"]:
            lines.append(f"    {f['severity']}: {f['check']} ({f['title']})")
        for check, counts in acc["risky_posts"].items():
            shown = ", ".join(f"{n} {sev}" for sev, n in counts.items() if n)
            lines.append(f"    risky posts, {check}: {shown}")
    return lines
