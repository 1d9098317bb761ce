"""content.controversial: a partisan political or religious hot-button opinion.

The guideline: elections, parties, abortion politics, gun politics, immigration politics and
proselytising are controversial; evidence-based public-health advocacy ("vaccines work",
"wear sunscreen") is not. So a post is flagged when a political topic meets a stance (a call
to vote, to repeal or ban, a verdict on the other side), or when it proselytises. Patients
and colleagues of every persuasion read a clinician's public posts; on a professional
account the finding weighs more.
"""

from __future__ import annotations

from collections.abc import Iterable

from auditor.checks import CheckContext, CheckMeta, PostCheck, post_date
from auditor.model import Account, Evidence, Finding, Post, Scope, Severity
from auditor.text.analysis import Analysis


class Controversial(PostCheck):
    meta = CheckMeta(
        id="content.controversial",
        title="Partisan political or religious opinion",
        scope=Scope.POST,
        severity=Severity.LOW,
        rationale=(
            "Patients of every persuasion read a clinician's public posts; a partisan or "
            "proselytising post can cost their trust, and employers and licensing boards look "
            "at what professional accounts say."
        ),
        remediation=(
            "Keep political and religious opinions to a personal account with a private "
            "audience, or make the health case without the partisan call."
        ),
        references=(
            "AMA Code of Medical Ethics, Opinion 2.3.2: Professionalism in the use of social media",
        ),
    )

    def check_post(
        self, post: Post, analysis: Analysis, account: Account, ctx: CheckContext
    ) -> Iterable[Finding]:
        k = analysis.kinds
        partisan = "politics" in k and not k.isdisjoint(("stance", "opinion"))
        if not (partisan or "proselytise" in k):
            return ()
        what = "proselytises" if not partisan else "takes a partisan political stance"
        evidence = [
            Evidence(kind, label, span.text)
            for kind, label in (
                ("politics", "a political topic"),
                ("stance", "a stance on it"),
                ("opinion", "an opinion on it"),
                ("proselytise", "a call to a faith"),
            )
            for span in analysis.of(kind)[:1]
        ]
        role = account.role or post.role
        severity = Severity.MEDIUM if role in ("professional", "practice") else Severity.LOW
        return (
            self.finding(
                account=post.account,
                subject=post.id,
                title=f"{post_date(post)} {what}"
                + (" on a professional account" if severity is Severity.MEDIUM else ""),
                evidence=evidence,
                post=post,
                severity=severity,
            ),
        )
