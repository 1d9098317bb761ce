"""security.two-factor-available: a login on a site that offers a second factor, where no
authenticator entry or TOTP field for it was found. It says "unknown, and this site offers":
the absence of an entry never proves 2FA is off (a key or the site's own app leaves none)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from auditor import twofa_directory
from auditor.checks import CheckContext, CheckMeta, ProfileCheck
from auditor.checks.security.logins import judged_logins
from auditor.credentials.authenticator import platform_of as entry_platform
from auditor.model import AccountReport, Evidence, Finding, Scope, Severity, two_factor_status


class TwoFactorAvailable(ProfileCheck):
    meta = CheckMeta(
        id="security.two-factor-available",
        title="Two-factor authentication offered, none found",
        scope=Scope.PROFILE,
        severity=Severity.LOW,
        rationale=(
            "A site that offers a second factor protects the account only once it is turned "
            "on; your exports hold no sign that it is."
        ),
        remediation="Turn on the strongest method the site offers; its how-to is linked.",
        references=("https://2fa.directory",),
    )

    def check_profile(
        self, accounts: Sequence[AccountReport], ctx: CheckContext
    ) -> Iterable[Finding]:
        by_key = {r.account.key: r for r in accounts}
        issuers = {e.issuer.casefold() for e in ctx.authenticator}
        for judged in judged_logins(accounts, ctx):
            login = judged.login
            if login.totp:
                continue
            report = by_key.get(judged.account)
            if report is not None:
                if two_factor_status(report.security).status in ("enabled", "sms"):
                    continue
                acct = report.account
                if any(entry_platform(e, acct.handle) == acct.platform for e in ctx.authenticator):
                    continue
            elif _site_name(login.domain) in issuers or login.domain in issuers:
                continue
            site = twofa_directory.lookup(login.domain)
            if site is None or not site.methods:
                continue
            offered = " and ".join(twofa_directory.LABELS[m] for m in site.methods[:2])
            how = f" ({site.documentation})" if site.documentation else ""
            yield self.finding(
                account=judged.account,
                subject=f"two-factor:{login.domain}",
                title=(
                    f"Two-factor authentication for the {login.domain} login is unknown, and "
                    f"the site offers {offered}"
                ),
                evidence=[
                    Evidence(
                        "2fa.directory",
                        f"{site.domain} supports "
                        + ", ".join(twofa_directory.LABELS[m] for m in site.methods),
                    ),
                    Evidence("vault", "no authenticator entry or TOTP field for this login"),
                ],
                remediation=f"Turn on {twofa_directory.LABELS[site.methods[0]]} there{how}.",
            )


def _site_name(domain: str) -> str:
    """ "github.com" -> "github", as an authenticator app usually names the issuer."""
    parts = domain.split(".")
    return parts[-2] if len(parts) >= 2 else domain
