"""security.two-factor: is two-factor authentication on, and with what? Unknown is never fine."""

from __future__ import annotations

import tomllib
from collections.abc import Iterable
from functools import cache
from importlib import resources

from auditor.checks import AccountCheck, CheckContext, CheckMeta
from auditor.model import AccountReport, Evidence, Finding, Scope, Severity, two_factor_status


@cache
def platform_guides() -> dict[str, dict[str, str]]:
    text = (
        resources.files("auditor.checks.security")
        .joinpath("two_factor_platforms.toml")
        .read_text("utf-8")
    )
    return tomllib.loads(text)


def guide_for(platform: str) -> dict[str, str]:
    """The platform's two-factor guide, or the generic one for a platform without its own."""
    guides = platform_guides()
    return guides.get(platform, guides["default"])


class TwoFactor(AccountCheck):
    meta = CheckMeta(
        id="security.two-factor",
        title="Two-factor authentication missing, SMS-only or unknown",
        scope=Scope.ACCOUNT,
        severity=Severity.HIGH,
        rationale=(
            "A stolen or guessed password is enough to take over an account without two-factor "
            "authentication; codes sent by SMS can be stolen by a SIM swap. A taken-over "
            "clinician's account can post in their name to patients."
        ),
        remediation="Turn on two-factor authentication with an authenticator app or a key.",
        references=(
            "https://www.cisa.gov/secure-our-world/turn-mfa",
            "NIST SP 800-63B, section 5.1.3.3 (SMS as a restricted authenticator)",
        ),
    )

    def check_account(self, account: AccountReport, ctx: CheckContext) -> Iterable[Finding]:
        acct = account.account
        state = two_factor_status(account.security)
        if state.status == "enabled":
            return ()
        guide = guide_for(acct.platform)
        who = f"{guide['name']} account {acct.key}"
        evidence = [Evidence("two-factor", e) for e in state.evidence]
        steps = f"{guide['enable']} ({guide['help']})."
        if state.status == "sms":
            severity = Severity.MEDIUM
            title = (
                f"{who} uses text-message (SMS) codes for two-factor authentication: "
                "a SIM swap can intercept them"
            )
            remediation = f"Switch to an authenticator app or a security key: {steps}"
        elif state.status == "disabled":
            severity = Severity.HIGH
            title = f"{who} has two-factor authentication turned off"
            remediation = f"Turn on two-factor authentication: {steps}"
        else:
            severity = Severity.MEDIUM
            title = (
                f"Two-factor authentication status of {who} is unknown: "
                "the evidence given does not show it"
            )
            remediation = (
                f"Check it yourself at {guide['verify']}. If it is off or uses text messages: "
                f"{steps}"
            )
            if not evidence:
                evidence = [Evidence("two-factor", "no two-factor evidence in this source")]
        return (
            self.finding(
                account=acct.key,
                subject="account",
                title=title,
                evidence=evidence,
                severity=severity,
                remediation=remediation,
            ),
        )
