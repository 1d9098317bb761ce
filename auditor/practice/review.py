"""The practice-wide security review: every member's shared summary against the roster's
policy. A summary that is missing, too old, malformed, from a newer schema or for another
practice is said to be so and never counted as clean; the review still completes."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from auditor import __version__
from auditor.practice import org_mfa
from auditor.practice.org_mfa import OrgMfa
from auditor.practice.roster import Member, Policy, Roster
from auditor.practice.share import SCHEMA as SHARE_SCHEMA
from auditor.secrets import SecretsError

SCHEMA = "auditor.practice-review/1"
HIGH = ("critical", "high")
# the second factors each policy level accepts (as two_factor.methods name them)
ACCEPTED = {
    "sms": {"sms", "totp", "app", "key", "unspecified"},
    "app": {"totp", "app", "key"},
    "key": {"key"},
}


@dataclass(frozen=True)
class Loaded:
    status: str  # current | stale | missing | malformed | newer-schema | other-practice
    detail: str
    data: dict[str, Any] | None = None
    path: Path | None = None


def load_summary(member: Member, practice: str, max_age: int, today: date) -> Loaded:
    """The member's summary: the file, or the newest summary in the folder."""
    where = member.summary
    if where is None:
        return Loaded("missing", "no summary given in the roster")
    if where.is_dir():
        found = sorted(
            (p for p in where.glob("*.json") if p.is_file()), key=lambda p: p.stat().st_mtime
        )
        if not found:
            return Loaded("missing", f"{where}: no summary (*.json) in the folder")
        where = found[-1]
    try:
        data = json.loads(where.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return Loaded("missing", f"{where}: not found", path=where)
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        return Loaded("malformed", f"{where}: not readable JSON ({exc})", path=where)
    schema = data.get("schema") if isinstance(data, dict) else None
    if not isinstance(schema, str) or not schema.startswith("auditor.share/"):
        return Loaded("malformed", f"{where}: not an {SHARE_SCHEMA} summary", path=where)
    if schema != SHARE_SCHEMA:
        return Loaded(
            "newer-schema",
            f"{where}: {schema} is newer than this auditor reads ({SHARE_SCHEMA}): upgrade it",
            path=where,
        )
    problem = _shape(data)
    if problem:
        return Loaded("malformed", f"{where}: {problem}", path=where)
    theirs = (data["member"].get("practice") or "").strip()
    if theirs and theirs.casefold() != practice.casefold():
        return Loaded("other-practice", f"{where}: a summary for {theirs}", path=where)
    audited = date.fromisoformat(data["audit_date"])
    age = (today - audited).days
    if age > max_age:
        return Loaded("stale", f"audited {age} days ago (the policy allows {max_age})", data, where)
    return Loaded("current", f"audited {age} days ago", data, where)


def _shape(data: dict[str, Any]) -> str | None:
    try:
        date.fromisoformat(data["audit_date"])
        if not isinstance(data["member"], dict):
            return "member: expected an object"
        for n, acc in enumerate(data["accounts"]):
            for key in ("platform", "role", "two_factor", "findings", "risky_posts"):
                if key not in acc:
                    return f"accounts[{n}].{key}: missing"
            tfa = acc["two_factor"]
            if not isinstance(tfa.get("status"), str) or not isinstance(tfa.get("methods"), list):
                return f"accounts[{n}].two_factor: expected a status and a list of methods"
            counts = acc["risky_posts"].values()
            if not all(isinstance(v, int) for c in counts for v in c.values()):
                return f"accounts[{n}].risky_posts: expected counts"
    except (KeyError, TypeError, ValueError) as exc:
        return f"missing or malformed field ({type(exc).__name__}: {exc})"
    return None


def organisation_mfa(
    roster: Roster, sleep: Callable[[float], None] = time.sleep
) -> tuple[dict[str, OrgMfa], list[dict[str, Any]]]:
    """Each configured identity provider's users by e-mail, and one coverage entry per
    provider: a provider that fails is an error line, and the review goes on without it."""
    users: dict[str, OrgMfa] = {}
    sources = []
    for provider, settings in roster.mfa.items():
        try:
            found = org_mfa.READERS[provider](settings, sleep=sleep)
        except (org_mfa.MfaSourceError, SecretsError) as exc:
            sources.append({"source": provider, "users": 0, "error": str(exc)})
            continue
        sources.append({"source": provider, "users": len(found), "error": None})
        for user in found:
            users.setdefault(user.email, user)
    return users, sources


def review(
    roster: Roster,
    today: date | None = None,
    org: tuple[dict[str, OrgMfa], list[dict[str, Any]]] | None = None,
) -> dict[str, Any]:
    """The review document. `org` is `organisation_mfa(roster)`'s answer (read when None)."""
    today = today or date.today()
    policy = roster.policy
    users, sources = org if org is not None else organisation_mfa(roster)
    members = []
    in_scope: list[tuple[str, dict[str, Any]]] = []
    for member in roster.members:
        loaded = load_summary(member, roster.name, policy.max_audit_age_days, today)
        row = _member_row(member, loaded, roster, in_scope)
        row["organisation_mfa"] = _org_row(users.get(member.email.casefold()), policy, sources)
        members.append(row)
    org_rows = [m["organisation_mfa"] for m in members if m["organisation_mfa"]]
    accounts = [acc for _, acc in in_scope]
    with_2fa = [a for a in accounts if a["two_factor"]["status"] in ("enabled", "sms")]
    strong = [a for a in accounts if set(a["two_factor"]["methods"]) & ACCEPTED["app"]]
    meets = [a for a in accounts if _meets(a, policy.required_two_factor)]
    current = [m for m in members if m["summary"]["status"] == "current"]
    high = [m for m in members if m["open_high"]]
    figures = {
        "members": len(members),
        "members_with_current_audit": len(current),
        "members_with_open_high": len(high),
        "members_without_usable_summary": sum(
            1 for m in members if m["summary"]["status"] not in ("current", "stale")
        ),
        "accounts_in_scope": len(accounts),
        "accounts_with_two_factor": len(with_2fa),
        "accounts_with_app_or_key": len(strong),
        "accounts_meeting_policy": len(meets),
        "share_with_two_factor": _share(len(with_2fa), len(accounts)),
        "share_with_app_or_key": _share(len(strong), len(accounts)),
        "share_current_audit": _share(len(current), len(members)),
        "members_in_organisation_mfa": len(org_rows),
        "members_organisation_mfa_meeting_policy": sum(1 for r in org_rows if r["meets_policy"]),
    }
    checklist = _checklist(roster, members, accounts, meets)
    return {
        "schema": SCHEMA,
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z"),
        "tool": {"name": "footprint-auditor", "version": __version__},
        "practice": roster.name,
        "policy": {
            "required_two_factor": policy.required_two_factor,
            "max_audit_age_days": policy.max_audit_age_days,
            "personal_accounts_in_scope": policy.personal_accounts_in_scope,
            "practice_accounts_separate": policy.practice_accounts_separate,
        },
        "figures": figures,
        "organisation_mfa_sources": sources,
        "members": members,
        "checklist": checklist,
        "actions": _actions(roster, members),
    }


def _org_row(
    user: OrgMfa | None, policy: Policy, sources: list[dict[str, Any]]
) -> dict[str, Any] | None:
    if user is None:
        return None
    need = org_mfa.LEVEL_ORDER.index(policy.required_two_factor)
    # Google says enrolled, not how: that meets an SMS policy only
    level = "sms" if user.level == "unknown" else user.level
    return {
        "source": user.source,
        "registered": user.registered,
        "level": user.level,
        "methods": list(user.methods),
        "enforced": user.enforced,
        "meets_policy": user.registered and org_mfa.LEVEL_ORDER.index(level) >= need,
    }


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 3) if whole else None


def _meets(acc: dict[str, Any], level: str) -> bool:
    methods = set(acc["two_factor"]["methods"])
    if acc["two_factor"]["status"] not in ("enabled", "sms"):
        return False
    return bool(methods & ACCEPTED[level])


def _member_row(
    member: Member, loaded: Loaded, roster: Roster, in_scope: list[tuple[str, dict[str, Any]]]
) -> dict[str, Any]:
    row: dict[str, Any] = {
        "name": member.name,
        "email": member.email,
        "role": member.role,
        "summary": {"status": loaded.status, "detail": loaded.detail},
        "audit_date": None,
        "accounts": 0,
        "two_factor": {"enabled": 0, "sms": 0, "disabled": 0, "unknown": 0},
        "below_policy": 0,
        "open_high": 0,
        "risky_posts": 0,
        "mixed_practice_accounts": 0,
    }
    data = loaded.data
    if data is None or loaded.status not in ("current", "stale"):
        return row
    row["audit_date"] = data["audit_date"]
    for acc in data["accounts"]:
        if acc["role"] == "personal" and not roster.policy.personal_accounts_in_scope:
            continue
        in_scope.append((member.email, acc))
        row["accounts"] += 1
        status = acc["two_factor"]["status"]
        row["two_factor"][status if status in row["two_factor"] else "unknown"] += 1
        row["below_policy"] += not _meets(acc, roster.policy.required_two_factor)
        row["open_high"] += sum(1 for f in acc["findings"] if f["severity"] in HIGH)
        row["open_high"] += sum(c.get(s, 0) for c in acc["risky_posts"].values() for s in HIGH)
        row["risky_posts"] += sum(sum(c.values()) for c in acc["risky_posts"].values())
        if acc["role"] in ("professional", "practice") and any(
            f["check"] == "content.mixed-account" for f in acc["findings"]
        ):
            row["mixed_practice_accounts"] += 1
    return row


def _checklist(
    roster: Roster,
    members: list[dict[str, Any]],
    accounts: list[dict[str, Any]],
    meets: list[dict[str, Any]],
) -> list[dict[str, Any]]:
    policy = roster.policy
    missing = [m["name"] for m in members if m["summary"]["status"] != "current"]
    items = [
        {
            "rule": f"every account in scope has {policy.required_two_factor} two-factor "
            "or stronger",
            "passed": len(meets) == len(accounts) and not missing,
            "detail": f"{len(meets)} of {len(accounts)} accounts"
            + (f"; {len(missing)} member(s) without a current summary" if missing else ""),
        },
        {
            "rule": f"every member audited within {policy.max_audit_age_days} days",
            "passed": not missing,
            "detail": ", ".join(missing) if missing else "all current",
        },
        {
            "rule": "no open critical or high finding",
            "passed": not any(m["open_high"] for m in members) and not missing,
            "detail": ", ".join(m["name"] for m in members if m["open_high"]) or "none open",
        },
    ]
    if policy.practice_accounts_separate:
        mixed = [m["name"] for m in members if m["mixed_practice_accounts"]]
        items.append(
            {
                "rule": "professional and practice accounts kept apart from personal life",
                "passed": not mixed and not missing,
                "detail": ", ".join(mixed) or "no mixed account found",
            }
        )
    return items


def _actions(roster: Roster, members: list[dict[str, Any]]) -> list[str]:
    """The five most useful things to do, worst first: risky posts and missing audits before
    second factors."""
    level = roster.policy.required_two_factor
    ranked: list[tuple[int, str]] = []
    for m in members:
        status = m["summary"]["status"]
        if m["open_high"]:
            ranked.append(
                (
                    0,
                    f"{m['name']}: {m['open_high']} open critical or high finding(s): ask them "
                    "to review their latest report",
                )
            )
        if status in ("missing", "malformed", "newer-schema", "other-practice"):
            ranked.append(
                (
                    1,
                    f"{m['name']}: no usable summary ({m['summary']['detail']}): "
                    "ask for `auditor audit --share`",
                )
            )
        elif status == "stale":
            ranked.append((2, f"{m['name']}: {m['summary']['detail']}: ask for a new audit"))
        if m["below_policy"]:
            ranked.append(
                (
                    3,
                    f"{m['name']}: {m['below_policy']} account(s) below {level} "
                    "two-factor: help them switch to an authenticator app or key",
                )
            )
        org = m.get("organisation_mfa")
        if org is not None and not org["meets_policy"]:
            ranked.append(
                (
                    3,
                    f"{m['name']}: their {org['source']} work account's MFA "
                    f"({org['level']}) is below {level}: enrol an authenticator or key",
                )
            )
        if m["mixed_practice_accounts"]:
            ranked.append((4, f"{m['name']}: a professional account mixes in personal posts"))
    ranked.sort(key=lambda r: r[0])
    return [text for _, text in ranked[:5]]
