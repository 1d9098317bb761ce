"""security.password-breached: a password that appears in Have I Been Pwned's Pwned
Passwords, so attackers' word lists already hold it. Asked by k-anonymity (only 5 hex
characters of its SHA-1 leave the machine); skipped with --offline, as the coverage says."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from auditor.checks import CheckContext, CheckMeta, ProfileCheck
from auditor.checks.security.logins import judged_logins
from auditor.model import AccountReport, Evidence, Finding, Scope, Severity


class PasswordBreached(ProfileCheck):
    meta = CheckMeta(
        id="security.password-breached",
        title="Password found in known breaches",
        scope=Scope.PROFILE,
        severity=Severity.HIGH,
        rationale=(
            "A password that has appeared in a breach is in every attacker's list and is tried "
            "first, against every site, whoever chose it."
        ),
        remediation=(
            "Change it now to a new one from your password manager's generator, everywhere you "
            "used it, and turn on two-factor authentication."
        ),
        references=(
            "https://haveibeenpwned.com/Passwords",
            "NIST SP 800-63B, section 5.1.1.2 (compare against breached passwords)",
        ),
    )

    def check_profile(
        self, accounts: Sequence[AccountReport], ctx: CheckContext
    ) -> Iterable[Finding]:
        if ctx.pwned is None:
            return
        for judged in judged_logins(accounts, ctx):
            seen = ctx.pwned.get(judged.login.password, 0)
            if not seen:
                continue
            yield self.finding(
                account=judged.account,
                subject=f"password:{judged.login.domain}",
                title=(
                    f"The password of the {judged.login.domain} login appears {seen:,} "
                    f"time{'s' if seen > 1 else ''} in known breaches (Pwned Passwords)"
                ),
                evidence=[Evidence("pwned-passwords", f"seen {seen:,} times in breach corpora")],
            )
