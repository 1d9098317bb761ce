"""content.undisclosed-promotion: a post selling or endorsing a product with no disclosure.

Professional guidance asks clinicians to declare conflicts of interest, and advertising law
(the US FTC's Endorsement Guides, the UK's CAP Code) asks anyone paid or gifted to say so.
A patient reads a clinician's endorsement as clinical advice. A post is flagged when it
pushes a sale (a discount code, "shop now", "link in bio", the author's own course or shop)
about a product, price or link, or endorses a product ("I swear by") with a link or a price;
and nothing in it discloses (#ad, "sponsored", "I am paid by", "affiliate", "gifted").
"""

from __future__ import annotations

from collections.abc import Iterable

from auditor.checks import CheckContext, CheckMeta, PostCheck, join_words, post_date
from auditor.model import Account, Evidence, Finding, Post, Scope, Severity
from auditor.text.analysis import Analysis

SALE_CONTEXT = ("product", "link", "price")
LABELS = {
    "promo_call": "a call to buy",
    "product": "a product or paid service",
    "endorse": "an endorsement",
    "price": "a price",
    "link": "a link",
}


class UndisclosedPromotion(PostCheck):
    meta = CheckMeta(
        id="content.undisclosed-promotion",
        title="Promotion of a product or paid service with no disclosure",
        scope=Scope.POST,
        severity=Severity.MEDIUM,
        rationale=(
            "Patients read a clinician's recommendation as clinical advice. Professional "
            "codes ask clinicians to declare conflicts of interest, and advertising rules ask "
            "anyone paid, gifted or earning a commission to say so in the post."
        ),
        remediation=(
            "If you are paid, gifted or earn a commission, say so at the start of the post "
            '("#ad", "Paid partnership with ...", "I earn a commission on this link"); if '
            "not, say that too, or remove the sales link or code."
        ),
        references=(
            "US FTC, Guides Concerning the Use of Endorsements and Testimonials (16 CFR 255)",
            "UK CAP Code, section 2 (recognising marketing communications)",
            "AMA Code of Medical Ethics, Opinion 2.3.2: Professionalism in the use of social media",
        ),
    )

    def check_post(
        self, post: Post, analysis: Analysis, account: Account, ctx: CheckContext
    ) -> Iterable[Finding]:
        k = analysis.kinds
        if "disclosure" in k:
            return ()
        selling = "promo_call" in k and not k.isdisjoint(SALE_CONTEXT)
        endorsing = "endorse" in k and "product" in k and not k.isdisjoint(("link", "price"))
        if not (selling or endorsing):
            return ()
        evidence = [
            Evidence(kind, LABELS[kind], span.text)
            for kind in LABELS
            for span in analysis.of(kind)[:1]
        ]
        what = join_words([e.label for e in evidence])
        return (
            self.finding(
                account=post.account,
                subject=post.id,
                title=(
                    f"{post_date(post)} promotes something ({what}) and does not say whether "
                    "you are paid, gifted or earn a commission"
                ),
                evidence=evidence,
                post=post,
            ),
        )
