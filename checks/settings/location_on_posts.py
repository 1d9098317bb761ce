"""settings.location-on-posts: a professional account that tags its posts with a place. The
places show where the clinician works, lives and is on a given day, and next to a post about
a case they narrow down who the patient was."""

from __future__ import annotations

from collections.abc import Iterable

from auditor.checks import AccountCheck, CheckContext, CheckMeta
from auditor.checks.security.two_factor import guide_for
from auditor.checks.settings.baseline import NO_ROLE, profile_data
from auditor.checks.settings.bio import PUBLIC_FACING
from auditor.model import AccountReport, Evidence, Finding, Scope, Severity

EXAMPLES = 3


class LocationOnPosts(AccountCheck):
    meta = CheckMeta(
        id="settings.location-on-posts",
        title="Professional account adds locations to its posts",
        scope=Scope.ACCOUNT,
        severity=Severity.MEDIUM,
        rationale=(
            "A location on a post says where you were and when: on a professional account it "
            "maps your workplaces and routine, and beside a post about your day at work it "
            "narrows down which patient you met (HIPAA Safe Harbor: geographic units)."
        ),
        remediation="Stop adding locations to posts, and remove them from past ones.",
        references=("45 CFR 164.514(b)(2)(i)(B): geographic subdivisions",),
    )

    def check_account(self, account: AccountReport, ctx: CheckContext) -> Iterable[Finding]:
        acct = account.account
        menu = profile_data()["location_menu"].get(acct.platform)
        if acct.role not in PUBLIC_FACING or not account.posts_with_place or menu is None:
            return ()
        n = account.posts_with_place
        examples = [
            Evidence(
                "example",
                "post from "
                + (s.post.created_at.date().isoformat() if s.post.created_at else "an unknown day")
                + (f" ({s.post.url})" if s.post.url else ""),
                s.excerpt,
            )
            for s in account.samples
            if s.reason == "place"
        ][:EXAMPLES]
        name = guide_for(acct.platform)["name"]
        return (
            self.finding(
                account=acct.key,
                subject="account",
                title=(
                    f"{n} {'post' if n == 1 else 'posts'} of {acct.role} {name} account "
                    f"{acct.key} {'carries' if n == 1 else 'carry'} a location"
                ),
                evidence=examples,
                remediation=f"{self.meta.remediation} {menu}.",
            ),
        )

    def unjudged(self, account: AccountReport, ctx: CheckContext) -> str | None:
        acct = account.account
        menu = profile_data()["location_menu"].get(acct.platform)
        if menu is None:
            return None  # the platform puts no location on posts
        if acct.role is None:
            return NO_ROLE
        if acct.role not in PUBLIC_FACING or account.posts_with_place:
            return None
        if acct.platform in profile_data()["places_in_export"] and account.posts_scanned:
            return None  # the export would show places: none is evidence of none
        return f"the export does not show posts' locations: check them yourself ({menu})"
