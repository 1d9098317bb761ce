"""security.two-factor-strength: a second factor that is set up, but weaker than it should be.

From the authenticator exports given: an entry for the account's platform whose secret is
shorter than RFC 4226's 128 bits, whose digits, period or algorithm differ from what the
platform uses (its codes would never match, so the real login uses something else), or whose
secret another entry shares (one leak opens both). Secrets are compared in memory and never
shown.
"""

from __future__ import annotations

from collections.abc import Iterable

from auditor.checks import AccountCheck, CheckContext, CheckMeta
from auditor.credentials.authenticator import platform_of, shared_secrets, weak_reasons
from auditor.model import AccountReport, Evidence, Finding, Scope, Severity


class TwoFactorStrength(AccountCheck):
    meta = CheckMeta(
        id="security.two-factor-strength",
        title="Two-factor authentication set up, but weaker than it should be",
        scope=Scope.ACCOUNT,
        severity=Severity.MEDIUM,
        rationale=(
            "A short TOTP secret can be guessed, an entry with the wrong digits or period never "
            "produces a code the platform accepts, and one secret shared by two accounts means "
            "that whoever copies it can pass the second factor of both."
        ),
        remediation=(
            "In the platform's two-factor settings, remove the authenticator app and add it "
            "again, scanning the new QR code, so the entry gets a fresh secret of the platform's "
            "own making; then delete the old entry in your authenticator app."
        ),
        references=(
            "RFC 4226, section 4 (shared secret of at least 128 bits)",
            "RFC 6238 (TOTP: time step and code length)",
        ),
    )

    def check_account(self, account: AccountReport, ctx: CheckContext) -> Iterable[Finding]:
        acct = account.account
        mine = [e for e in ctx.authenticator if platform_of(e, acct.handle) == acct.platform]
        if not mine:
            return ()
        evidence: list[Evidence] = []
        for entry in mine:
            for reason in weak_reasons(entry, acct.platform):
                evidence.append(Evidence("totp-entry", f"the entry {entry}: {reason}"))
        shared = {id(e): g for g in shared_secrets(ctx.authenticator).values() for e in g}
        for entry in mine:
            group = shared.get(id(entry))
            if group:
                others = ", ".join(str(e) for e in group if e is not entry)
                evidence.append(
                    Evidence("totp-entry", f"the entry {entry} has the same secret as: {others}")
                )
        if not evidence:
            return ()
        return (
            self.finding(
                account=acct.key,
                subject="totp-entry",
                title=(
                    f"The authenticator entry for {acct.key} is weaker than it should be "
                    f"({len(evidence)} problem{'s' if len(evidence) > 1 else ''})"
                ),
                evidence=evidence,
            ),
        )
