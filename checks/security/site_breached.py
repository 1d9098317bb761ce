"""security.site-breached: a login's site is in Have I Been Pwned's breach list with a breach
after the password last changed (or the export does not say when it changed), so the
password may be in the stolen data."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date

from auditor.checks import CheckContext, CheckMeta, ProfileCheck
from auditor.checks.security.logins import judged_logins
from auditor.credentials.breaches import Breach
from auditor.model import AccountReport, Evidence, Finding, Scope, Severity


class SiteBreached(ProfileCheck):
    meta = CheckMeta(
        id="security.site-breached",
        title="Site breached since the password last changed",
        scope=Scope.PROFILE,
        severity=Severity.MEDIUM,
        rationale=(
            "A breach that took passwords or their hashes puts every password set before it "
            "at risk; attackers then try it on the other sites too."
        ),
        remediation=(
            "Change this login's password to a new one from your password manager, and "
            "anywhere else you used it."
        ),
        references=("https://haveibeenpwned.com/PwnedWebsites",),
    )

    def check_profile(
        self, accounts: Sequence[AccountReport], ctx: CheckContext
    ) -> Iterable[Finding]:
        if ctx.breaches is None:
            return
        for judged in judged_logins(accounts, ctx):
            login = judged.login
            changed = login.changed.date() if login.changed else None
            after = [
                b
                for b in ctx.breaches.get(login.domain, ())
                if changed is None or b.breach_date > changed
            ]
            if not after:
                continue
            latest = max(after, key=lambda b: b.breach_date)
            when = (
                f"after the password last changed ({changed.isoformat()})"
                if changed
                else "and the export does not say when the password last changed"
            )
            yield self.finding(
                account=judged.account,
                subject=f"site-breached:{login.domain}",
                title=(
                    f"{login.domain} was breached on {latest.breach_date.isoformat()} "
                    f"({latest.name}), {when}"
                ),
                evidence=[Evidence("hibp", b.summary()) for b in sorted(after, key=_when)],
                severity=Severity.HIGH
                if any("Passwords" in b.data for b in after)
                else Severity.MEDIUM,
            )


def _when(breach: Breach) -> date:
    return breach.breach_date
