"""security.password-reused: one password on two logins, so one breach opens both.

Compared in memory across every login of the password-manager exports given; the finding
names the other sites, never the password."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence

from auditor.checks import CheckContext, CheckMeta, ProfileCheck
from auditor.checks.security.logins import judged_logins
from auditor.model import AccountReport, Evidence, Finding, Scope, Severity

SHOWN = 5  # other sites named in a finding; the rest are counted


class PasswordReused(ProfileCheck):
    meta = CheckMeta(
        id="security.password-reused",
        title="Password used on more than one login",
        scope=Scope.PROFILE,
        severity=Severity.HIGH,
        rationale=(
            "Attackers try every password leaked from one site on the others (credential "
            "stuffing): a password reused on a social account falls with the weakest site."
        ),
        remediation=(
            "Give this login a new, unique password from your password manager's generator, "
            "then turn on two-factor authentication."
        ),
        references=("NIST SP 800-63B, section 5.1.1.2", "https://www.cisa.gov/secure-our-world"),
    )

    def check_profile(
        self, accounts: Sequence[AccountReport], ctx: CheckContext
    ) -> Iterable[Finding]:
        by_password: dict[str, list[str]] = defaultdict(list)
        for login in ctx.logins:
            by_password[login.password].append(login.domain)
        for judged in judged_logins(accounts, ctx):
            sites = list(by_password[judged.login.password])
            sites.remove(judged.login.domain)
            if not sites:
                continue
            others = sorted(set(sites))
            named = ", ".join(others[:SHOWN]) + (
                f" and {len(others) - SHOWN} more" if len(others) > SHOWN else ""
            )
            yield self.finding(
                account=judged.account,
                subject=f"password:{judged.login.domain}",
                title=(
                    f"The password of the {judged.login.domain} login is also used on "
                    f"{len(sites)} other login{'s' if len(sites) > 1 else ''}: {named}"
                ),
                evidence=[Evidence("password", f"same password as the {s} login") for s in others],
            )
