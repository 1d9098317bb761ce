"""security.authorized-apps: third-party apps that can act for the account. An app approved
over a year ago is listed as possibly unused (exports give when an app was approved, not when
it last acted), and one that may post or read direct messages is raised a level."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from auditor.checks import AccountCheck, CheckContext, CheckMeta
from auditor.checks.security.two_factor import guide_for
from auditor.model import AccountReport, ConnectedApp, Evidence, Finding, Scope, Severity

OLD_DAYS = 365
POWERFUL = ("write", "post", "publish", "direct message", "dm", "manage", "delete")


class AuthorizedApps(AccountCheck):
    meta = CheckMeta(
        id="security.authorized-apps",
        title="Third-party apps with access to the account",
        scope=Scope.ACCOUNT,
        severity=Severity.LOW,
        rationale=(
            "Every connected app holds a key to the account that a password change does not "
            "revoke; a forgotten or sold app can post in the clinician's name or read patients' "
            "messages."
        ),
        remediation="Revoke every app you no longer use.",
        references=("https://www.cisa.gov/secure-our-world",),
    )

    def check_account(self, account: AccountReport, ctx: CheckContext) -> Iterable[Finding]:
        apps = account.security.connected_apps
        if not apps:
            return ()
        acct = account.account
        guide = guide_for(acct.platform)
        old = [a for a in apps if _age(a, ctx.today) > OLD_DAYS]
        powerful = [a for a in apps if _powerful(a)]
        evidence = [Evidence("app", _describe(a, ctx.today)) for a in apps]
        severity = Severity.MEDIUM if powerful else Severity.LOW
        worry = []
        if old:
            worry.append(f"{len(old)} approved over a year ago")
        if powerful:
            worry.append(f"{len(powerful)} can post or read messages")
        return (
            self.finding(
                account=acct.key,
                subject="connected-apps",
                title=(
                    f"{len(apps)} third-party app{'s' if len(apps) > 1 else ''} can act for "
                    f"{guide['name']} account {acct.key}"
                    + (f" ({'; '.join(worry)})" if worry else "")
                ),
                evidence=evidence,
                severity=severity,
                remediation=f"Review them at {guide['apps']}; revoke every one you no longer use.",
            ),
        )


def _age(app: ConnectedApp, today: date) -> int:
    return (today - app.approved_at.date()).days if app.approved_at else 0


def _powerful(app: ConnectedApp) -> bool:
    perms = " ".join(app.permissions).casefold()
    return any(w in perms for w in POWERFUL)


def _describe(app: ConnectedApp, today: date) -> str:
    parts = [app.name]
    if app.organization:
        parts.append(f"by {app.organization}")
    if app.approved_at:
        parts.append(f"approved {app.approved_at.date().isoformat()}")
    if app.permissions:
        parts.append("may " + ", ".join(app.permissions))
    return " ".join(parts)
