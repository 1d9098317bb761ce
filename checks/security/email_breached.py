"""security.email-breached: an e-mail address on file for an audited account is in a known
breach (Have I Been Pwned's breached-account search, with the user's own API key). The stolen
data may hold a password used for that address, and the address itself is what phishing and
credential-stuffing start from."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence

from auditor.checks import CheckContext, CheckMeta, ProfileCheck, join_words
from auditor.model import AccountReport, Evidence, Finding, Scope, Severity

LISTED = 8  # breaches named in the evidence, newest first


def masked_email(email: str) -> str:
    """ "m•••@gmail.com": enough to tell one's addresses apart, not to read one off a report."""
    local, _, domain = email.partition("@")
    return f"{local[:1]}•••@{domain}"


class EmailBreached(ProfileCheck):
    meta = CheckMeta(
        id="security.email-breached",
        title="E-mail address in a known breach",
        scope=Scope.PROFILE,
        severity=Severity.MEDIUM,
        rationale=(
            "A breach that holds your address often holds the password you used with it; "
            "attackers try that pair on every platform, and target the address with phishing."
        ),
        remediation=(
            "Change the password of every account that used this address with a password "
            "from a breached site, and turn on two-factor authentication for the e-mail "
            "account itself."
        ),
        references=("https://haveibeenpwned.com/API/v3#BreachesForAccount",),
    )

    def check_profile(
        self, accounts: Sequence[AccountReport], ctx: CheckContext
    ) -> Iterable[Finding]:
        if not ctx.email_breaches:
            return
        for email, found in sorted(ctx.email_breaches.items()):
            if not found:
                continue
            owners = [
                a.account.key
                for a in accounts
                if email in {e.strip().casefold() for e in a.security.emails}
            ]
            passwords = [b for b in found if "Passwords" in b.data]
            n = len(found)
            yield self.finding(
                account=owners[0] if owners else "profile",
                subject="email-breached:" + hashlib.sha256(email.encode()).hexdigest()[:16],
                title=(
                    f"The e-mail address {masked_email(email)}, on file for "
                    f"{join_words(owners) or 'an audited account'}, is in {n} known "
                    f"{'breach' if n == 1 else 'breaches'}"
                    + (f", {len(passwords)} with passwords" if passwords else "")
                ),
                evidence=[Evidence("hibp", b.summary()) for b in found[:LISTED]],
                severity=Severity.HIGH if passwords else Severity.MEDIUM,
            )
