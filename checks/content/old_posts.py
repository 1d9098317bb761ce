"""content.old-posts: public posts older than the user's clean-up horizon.

Old posts stay public and searchable long after their author has changed jobs, views or
standards; professional guidance asks clinicians to review their history periodically. The
count is of public posts (or posts whose visibility the export does not say) older than
`old_post_years` (config `[checks]`, default 5). The report's clean-up list orders the risky
ones; deleting is the user's call, and this tool never deletes anything.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from auditor.checks import AccountCheck, CheckContext, CheckMeta
from auditor.model import AccountReport, Evidence, Finding, Scope, Severity


class OldPosts(AccountCheck):
    meta = CheckMeta(
        id="content.old-posts",
        title="Old public posts",
        scope=Scope.ACCOUNT,
        severity=Severity.LOW,
        rationale=(
            "Old posts stay public: what was written years ago, under other standards or in "
            "another job, is read today by patients, employers and journalists."
        ),
        remediation=(
            "Review the old posts and delete or hide those you would not post today (the "
            "platform's own tools or a bulk-deletion tool fed by `auditor classify "
            "--only-flagged --format csv` can do it); the auditor never deletes anything."
        ),
        references=(
            "AMA Code of Medical Ethics, Opinion 2.3.2: Professionalism in the use of social media",
        ),
    )

    def check_account(self, account: AccountReport, ctx: CheckContext) -> Iterable[Finding]:
        years = ctx.old_post_years
        cutoff = _years_before(ctx.today, years)
        old = {day: n for day, n in account.public_by_day.items() if day < cutoff}
        count = sum(old.values())
        if not count:
            return ()
        key = account.account.key
        total = sum(account.public_by_day.values())
        return (
            self.finding(
                account=key,
                subject="account",
                title=(
                    f"{count:,} public post{'s' if count != 1 else ''} on {key} "
                    f"{'are' if count != 1 else 'is'} older than {years} years "
                    f"(before {cutoff.isoformat()})"
                ),
                evidence=[
                    Evidence("old", f"{count:,} of {total:,} public posts"),
                    Evidence("oldest", f"the oldest from {min(old).isoformat()}"),
                ],
            ),
        )


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)
