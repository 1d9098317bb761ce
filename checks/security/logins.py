"""Which vault logins the password checks judge: each audited account's, and with
`--all-logins` every other login too (reported under `vault:SITE`)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from auditor.checks import CheckContext
from auditor.credentials.vault import Login, platform_of
from auditor.model import AccountReport


@dataclass(frozen=True)
class Judged:
    account: str  # the finding's account: an audited account's key, or vault:SITE
    login: Login
    audited: bool


def judged_logins(reports: Sequence[AccountReport], ctx: CheckContext) -> list[Judged]:
    out: list[Judged] = []
    claimed: set[int] = set()
    for report in reports:
        acct = report.account
        for n, login in enumerate(ctx.logins):
            if n not in claimed and platform_of(login, acct.handle) == acct.platform:
                claimed.add(n)
                out.append(Judged(acct.key, login, True))
    if ctx.all_logins:
        out += [
            Judged(f"vault:{login.domain}", login, False)
            for n, login in enumerate(ctx.logins)
            if n not in claimed
        ]
    return out
