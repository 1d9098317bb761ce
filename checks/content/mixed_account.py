"""content.mixed-account: an account whose content crosses the personal/professional line.

Professional guidance asks clinicians to keep personal and professional presences apart: a
professional account full of family life invites patients into it, and a personal account
that talks shop or names the practice ties the clinician's private life to their work (and
their patients to it). Judged from the domain of every post, which the engine counts per
account; the examples are the first posts of each kind, masked in reports.
"""

from __future__ import annotations

from collections.abc import Iterable

from auditor.checks import AccountCheck, CheckContext, CheckMeta
from auditor.model import AccountReport, Evidence, Finding, PostSample, Scope, Severity

# Share of posts with personal content (personal or mixed) above which a professional
# account is mixed; and of professional content (professional or mixed) on a personal one.
# A clinician's professional account can mention the weekend now and then: a quarter cannot.
PERSONAL_SHARE = 0.25
PROFESSIONAL_SHARE = 0.25
# Fewer posts than this say too little about an account to call it mixed.
MIN_POSTS = 8


class MixedAccount(AccountCheck):
    meta = CheckMeta(
        id="content.mixed-account",
        title="Personal and professional content mixed on one account",
        scope=Scope.ACCOUNT,
        severity=Severity.LOW,
        rationale=(
            "Patients who follow a professional account see the personal life posted there; "
            "a personal account that discusses work or names the practice links the "
            "clinician's family and private life to their patients."
        ),
        remediation=(
            "Keep one account for professional content and another, private one for personal "
            "life; move or delete the posts that belong on the other."
        ),
        references=(
            "AMA Code of Medical Ethics, Opinion 2.3.2: Professionalism in the use of social media",
            "FSMB, Social Media and Electronic Communications (2019)",
        ),
    )

    def check_account(self, account: AccountReport, ctx: CheckContext) -> Iterable[Finding]:
        role = account.account.role
        counts = account.domains
        total = sum(counts.values())
        if role in ("professional", "practice"):
            side, other = "personal", "professional"
        elif role == "personal":
            side, other = "professional", "personal"
        else:
            return ()  # which side is out of place depends on the role the config gives
        findings = []
        crossing = counts.get(side, 0) + counts.get("mixed", 0)
        share = crossing / total if total else 0.0
        limit = PERSONAL_SHARE if side == "personal" else PROFESSIONAL_SHARE
        key = account.account.key
        if total >= MIN_POSTS and share >= limit:
            findings.append(
                self.finding(
                    account=key,
                    subject="account",
                    title=(
                        f"{share:.0%} of the posts on {other} account {key} have {side} "
                        f"content ({crossing:,} of {total:,})"
                    ),
                    evidence=[
                        Evidence(
                            "share",
                            f"{counts.get(side, 0):,} {side}, "
                            f"{counts.get('mixed', 0):,} mixed, "
                            f"{counts.get(other, 0):,} {other}",
                        ),
                        *_examples(account.samples, (side, "mixed")),
                    ],
                )
            )
        if role == "personal" and account.practice_mentions and ctx.practice:
            n = account.practice_mentions
            findings.append(
                self.finding(
                    account=key,
                    subject="practice",
                    title=(
                        f"Personal account {key} names the practice ({ctx.practice}) in "
                        f"{n:,} post{'s' if n != 1 else ''}"
                    ),
                    evidence=list(_examples(account.samples, ("practice",))),
                    severity=Severity.MEDIUM,
                    remediation=(
                        "Remove the practice's name from the personal account's posts and "
                        "profile, so patients cannot find your private life from your work."
                    ),
                )
            )
        return findings


def _examples(samples: Iterable[PostSample], reasons: tuple[str, ...]) -> Iterable[Evidence]:
    for s in samples:
        if s.reason in reasons:
            when = s.post.created_at.date().isoformat() if s.post.created_at else "undated"
            where = f" ({s.post.url})" if s.post.url else ""
            yield Evidence("example", f"{s.reason} post from {when}{where}", s.excerpt)
