"""security.two-factor-strength: a second factor that is set up, but weaker than it should be.

The method in use (from the evidence) against the strongest the platform supports (from the
bundled 2fa.directory snapshot), with the directory's how-to link: an authenticator app where
the platform takes a security key is low; SMS is left to `security.two-factor`, which already
reports it. And, from the authenticator exports given: an entry for the account's platform
whose secret is shorter than RFC 4226's 128 bits, whose digits, period or algorithm differ
from what the platform uses (its codes would never match, so the real login uses something
else), or whose secret another entry shares (one leak opens both). Secrets are compared in
memory and never shown.
"""

from __future__ import annotations

from collections.abc import Iterable

from auditor import twofa_directory
from auditor.checks import AccountCheck, CheckContext, CheckMeta
from auditor.checks.security.two_factor import guide_for, platform_guides
from auditor.credentials.authenticator import platform_of, shared_secrets, weak_reasons
from auditor.model import (
    Account,
    AccountReport,
    Evidence,
    Finding,
    Scope,
    Severity,
    two_factor_status,
)

# The evidence's method kinds, as the directory names them.
AS_DIRECTORY = {"key": "u2f", "totp": "totp", "app": "totp", "sms": "sms"}


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
        found = list(self._against_directory(account))
        found += self._sms_beside(account)
        weak = self._weak_entries(account.account, ctx)
        if weak is not None:
            found.append(weak)
        return found

    def _against_directory(self, account: AccountReport) -> Iterable[Finding]:
        acct = account.account
        state = two_factor_status(account.security)
        used = [AS_DIRECTORY[k] for k in state.methods if k in AS_DIRECTORY]
        site = twofa_directory.lookup(site_domain(acct) or "")
        if state.status != "enabled" or not used or site is None or not site.methods:
            return
        best_used = min(used, key=twofa_directory.rank)
        best = site.strongest
        if best is None or twofa_directory.rank(best) >= twofa_directory.rank(best_used):
            return
        name = guide_for(acct.platform)["name"]
        offered = ", ".join(twofa_directory.LABELS[m] for m in site.methods)
        how = f" ({site.documentation})" if site.documentation else ""
        yield self.finding(
            account=acct.key,
            subject="two-factor-method",
            title=(
                f"{name} account {acct.key} uses {twofa_directory.LABELS[best_used]}; "
                f"{name} also offers {twofa_directory.LABELS[best]}, which is stronger"
            ),
            evidence=[
                *(Evidence("two-factor", e) for e in state.evidence),
                Evidence(
                    "2fa.directory",
                    f"{site.domain} supports {offered} (2fa.directory snapshot of "
                    f"{twofa_directory.current().snapshot.isoformat()})",
                ),
            ],
            severity=Severity.LOW,
            remediation=(
                f"Add {twofa_directory.LABELS[best]} in {name}'s two-factor settings{how}; keep "
                "the authenticator app as a backup."
                if best == "u2f"
                else f"Switch to {twofa_directory.LABELS[best]} in {name}'s two-factor settings"
                f"{how}."
            ),
        )

    def _sms_beside(self, account: AccountReport) -> list[Finding]:
        """Text-message codes still on beside a stronger method: a SIM swap still gets in."""
        acct = account.account
        state = two_factor_status(account.security)
        if state.status != "enabled" or "sms" not in state.methods:
            return []
        guide = guide_for(acct.platform)
        return [
            self.finding(
                account=acct.key,
                subject="sms-fallback",
                title=(
                    f"{guide['name']} account {acct.key} still accepts text-message (SMS) codes "
                    "beside a stronger method: a SIM swap can still pass the second factor"
                ),
                evidence=[Evidence("two-factor", e) for e in state.evidence],
                severity=Severity.LOW,
                remediation=(
                    f"Turn off text-message codes ({guide['verify']}) once the authenticator "
                    "app or key works, and keep the backup codes somewhere safe."
                ),
            )
        ]

    def _weak_entries(self, acct: Account, ctx: CheckContext) -> Finding | None:
        mine = [e for e in ctx.authenticator if platform_of(e, acct.handle) == acct.platform]
        if not mine:
            return None
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
            return None
        return self.finding(
            account=acct.key,
            subject="totp-entry",
            title=(
                f"The authenticator entry for {acct.key} is weaker than it should be "
                f"({len(evidence)} problem{'s' if len(evidence) > 1 else ''})"
            ),
            evidence=evidence,
        )


def site_domain(acct: Account) -> str | None:
    """The account's site in the 2fa.directory: the platform's, or a Mastodon instance."""
    if acct.platform == "mastodon":
        return acct.handle.rpartition("@")[2] if acct.handle and "@" in acct.handle else None
    return platform_guides().get(acct.platform, {}).get("domain")
