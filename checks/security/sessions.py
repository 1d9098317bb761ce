"""security.sessions: where the account is signed in, and logins that break its pattern.

Exports list active sessions (a device or browser, when it was last seen) and a login history
(time, IP, and for some the country). More than a handful of sessions is worth a look; a
country seen in under a tenth of the logins, when one country makes most of them, is named
with its dates. Without a country (most exports) no IP is looked up: the check stays offline."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from auditor.checks import AccountCheck, CheckContext, CheckMeta
from auditor.checks.security.two_factor import guide_for
from auditor.model import AccountReport, Evidence, Finding, Scope, Severity

MANY_SESSIONS = 5
RARE_SHARE = 0.1
USUAL_SHARE = 0.6


class Sessions(AccountCheck):
    meta = CheckMeta(
        id="security.sessions",
        title="Many active sessions, or logins from unusual places",
        scope=Scope.ACCOUNT,
        severity=Severity.LOW,
        rationale=(
            "A session left open on a shared ward computer or an old phone is a way into the "
            "account; a login from a country you were not in may be someone else."
        ),
        remediation="Sign out every session you do not recognise, then change the password.",
        references=("https://www.cisa.gov/secure-our-world",),
    )

    def check_account(self, account: AccountReport, ctx: CheckContext) -> Iterable[Finding]:
        acct = account.account
        sec = account.security
        guide = guide_for(acct.platform)
        found = []
        if len(sec.sessions) > MANY_SESSIONS:
            clients = Counter(s.client for s in sec.sessions)
            found.append(
                self.finding(
                    account=acct.key,
                    subject="sessions",
                    title=(
                        f"{guide['name']} account {acct.key} is signed in on "
                        f"{len(sec.sessions)} sessions"
                    ),
                    evidence=[Evidence("session", f"{n} x {c}") for c, n in clients.most_common()],
                    remediation=(
                        f"Sign out of every session you do not recognise (a shared or old device "
                        f"especially): {guide['sessions']}."
                    ),
                )
            )
        countries = Counter(x.country for x in sec.logins if x.country)
        total = sum(countries.values())
        if total >= 5:
            usual, usual_n = countries.most_common(1)[0]
            rare = [c for c, n in countries.items() if n / total < RARE_SHARE]
            if rare and usual_n / total >= USUAL_SHARE:
                evidence = []
                for c in rare:
                    dates = sorted(
                        x.at.date().isoformat() for x in sec.logins if x.country == c and x.at
                    )
                    evidence.append(
                        Evidence(
                            "login", f"{countries[c]} login(s) from {c}: " + ", ".join(dates[:5])
                        )
                    )
                found.append(
                    self.finding(
                        account=acct.key,
                        subject="login-countries",
                        title=(
                            f"{guide['name']} account {acct.key} had logins from "
                            f"{', '.join(sorted(rare))}, against {usual_n} of {total} from {usual}"
                        ),
                        evidence=evidence,
                        severity=Severity.MEDIUM,
                        remediation=(
                            "If you were not there, change the password, sign out every session "
                            f"({guide['sessions']}) and turn on two-factor authentication with "
                            "an app or key."
                        ),
                    )
                )
        return found
