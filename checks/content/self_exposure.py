"""content.self-exposure: the user exposes themself or their family.

The guideline lists what matters for personal security: a home street or address, children's
names with their school or schedule, a real-time location or an empty home, a personal phone
number or e-mail, a date of birth, a DEA number, a licence plate, a fixed routine at a fixed
place. Each rule below pairs a detail with what makes it the user's own: an address with "our
house", a phone number with "my personal number", a date with "born on". The user's protected
facts (`auditor facts`, kept in the OS keyring) are their own by definition: any mention is
high. Clinicians are
targets of harassment more often than most, which is why these details are worth a finding.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache

from auditor.checks import CheckContext, CheckMeta, PostCheck, join_words, post_date
from auditor.model import Account, Evidence, Finding, Post, Scope, Severity
from auditor.text.analysis import Analysis

# Detail kind -> what the finding calls it, and what to do about it.
EXPOSURES = {
    "address": ("your home address", "the address"),
    "contact": ("a personal phone number or e-mail", "the number or e-mail"),
    "birth_date": ("your date of birth", "the date"),
    "dea": ("your DEA number", "the number"),
    "plate": ("your licence plate", "the plate"),
    "away": ("that your home is empty", "when you are away"),
    "here_now": ("where you are right now", "where you are"),
    "routine": ("a fixed routine at a fixed place", "the times and places"),
    "children": ("your children with their school or schedule", "the names and the school"),
    "protected_fact": ("one of your protected facts", "the protected fact"),
}
HIGH = frozenset(("address", "dea", "birth_date", "children", "away", "protected_fact"))
# A place named with "right now": a venue, a street, a facility.
WHERE = frozenset(("place", "facility", "street", "venue", "time", "child"))


class SelfExposure(PostCheck):
    meta = CheckMeta(
        id="content.self-exposure",
        title="Post exposes your home, family, whereabouts or identity numbers",
        scope=Scope.POST,
        severity=Severity.MEDIUM,
        rationale=(
            "Clinicians are harassed, stalked and impersonated more often than most: a home "
            "address, a child's school, an empty house, a routine or an identity number in a "
            "public post is what such people look for."
        ),
        remediation=(
            "Delete the post or edit the detail out; for a DEA number or a date of birth, "
            "assume it is known and watch for misuse."
        ),
        references=(
            "AMA Code of Medical Ethics, Opinion 2.3.2: Professionalism in the use of social media",
            "https://www.deadiversion.usdoj.gov/",
        ),
    )

    def check_post(
        self, post: Post, analysis: Analysis, account: Account, ctx: CheckContext
    ) -> Iterable[Finding]:
        k = analysis.kinds
        fact = (
            _facts_pattern(ctx.protected_facts).search(post.text) if ctx.protected_facts else None
        )
        if k.isdisjoint(TRIGGERS) and fact is None:
            return ()
        found: list[str] = []
        if fact is not None:
            found.append("protected_fact")
        if "address" in k or ("home" in k and "street" in k):
            found.append("address")
        if "own_contact" in k and not k.isdisjoint({"phone", "email"}):
            found.append("contact")
        if "birth_date" in k:
            found.append("birth_date")
        if "dea" in k and _dea_number(analysis):
            found.append("dea")
        if "plate" in k:
            found.append("plate")
        if "away" in k and "returned" not in k:
            found.append("away")
        if "here_now" in k and not k.isdisjoint(WHERE):
            found.append("here_now")
        if "routine" in k and "person_ref" in k:  # the user's routine, not a building's
            found.append("routine")
        if "child" in k and "school" in k:
            found.append("children")
        if not found:
            return ()
        labels = [EXPOSURES[f][0] for f in found]
        severity = Severity.HIGH if not HIGH.isdisjoint(found) else Severity.MEDIUM
        evidence = [
            Evidence(f, EXPOSURES[f][0], fact.group() if f == "protected_fact" else None)
            for f in found
        ]
        return (
            self.finding(
                account=post.account,
                subject=post.id,
                title=f"{post_date(post)} gives away {join_words(labels)}",
                evidence=evidence,
                post=post,
                severity=severity,
                remediation=_remediation(found),
            ),
        )


TRIGGERS = frozenset(
    (
        "address",
        "home",
        "own_contact",
        "birth_date",
        "dea",
        "plate",
        "away",
        "here_now",
        "routine",
        "school",
    )
)


@cache
def _facts_pattern(facts: tuple[str, ...]) -> re.Pattern[str]:
    """One pattern for every protected fact, as whole words, any case and spacing."""
    parts = sorted(
        (r"\s+".join(map(re.escape, f.split())) for f in facts if f.split()), key=len, reverse=True
    )
    return re.compile(r"(?<!\w)(?:" + "|".join(parts) + r")(?!\w)", re.IGNORECASE)


def _dea_number(analysis: Analysis) -> bool:
    """A DEA registration number: two letters and seven digits, said to be one ("DEA") or
    passing the number's check digit."""
    spans = analysis.of("dea")
    named = any(s.text.lower() == "dea" for s in spans)
    for span in spans:
        t = span.text
        if len(t) == 9 and t[:2].isalpha() and t[2:].isdigit():
            d = [int(c) for c in t[2:]]
            if named or (d[0] + d[2] + d[4] + 2 * (d[1] + d[3] + d[5])) % 10 == d[6]:
                return True
    return False


def _remediation(found: list[str]) -> str:
    text = f"Delete the post, or edit out {join_words([EXPOSURES[f][1] for f in found])}."
    if "dea" in found or "birth_date" in found:
        text += " Assume the number or the date is known now, and watch for its misuse."
    return text
