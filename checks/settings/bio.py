"""settings.bio-credentials and settings.bio-disclaimer: what a professional account's profile
tells a reader about who is speaking. Guidance asks a clinician posting as one to say who they
are (their profession and credentials) and that posts are not medical advice to anyone."""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache

from auditor.checks import AccountCheck, CheckContext, CheckMeta
from auditor.checks.security.two_factor import guide_for
from auditor.checks.settings.baseline import NO_ROLE, profile_data
from auditor.model import AccountReport, Evidence, Finding, Scope, Severity

PROFESSIONAL = ("professional",)
PUBLIC_FACING = ("professional", "practice")


@cache
def _credentials() -> tuple[re.Pattern[str], re.Pattern[str]]:
    data = profile_data()
    words = "|".join(re.escape(w) for w in sorted(data["credentials"], key=len, reverse=True))
    exact = "|".join(re.escape(w) for w in sorted(data["credentials_exact"], key=len, reverse=True))
    return (
        re.compile(rf"(?<![\w/-])(?:{words})s?(?![\w/-])", re.IGNORECASE),
        re.compile(rf"(?<![\w/.-])(?:{exact})(?![\w/-])"),
    )


@cache
def _disclaimer() -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{p})" for p in profile_data()["disclaimers"]), re.IGNORECASE)


def names_credentials(text: str) -> bool:
    words, exact = _credentials()
    return bool(words.search(text) or exact.search(text))


def has_disclaimer(text: str) -> bool:
    return bool(_disclaimer().search(text))


def _profile_text(report: AccountReport) -> str | None:
    """The bio and every other public profile text, or None when the export has no profile."""
    profile = report.security.profile
    if profile is None:
        return None
    return "\n".join(text for _, text in profile.texts())


def _source(report: AccountReport) -> Evidence:
    profile = report.security.profile
    return Evidence("profile", f"the profile from {profile.source if profile else 'the export'}")


def _menu(platform: str) -> str:
    return profile_data()["bio_menu"].get(platform, "the profile's edit page")


def no_profile(report: AccountReport, roles: tuple[str, ...]) -> str | None:
    """Why a profile check had nothing to judge: no role, or no profile in the export."""
    acct = report.account
    if acct.role is None:
        return NO_ROLE
    if acct.role in roles and report.security.profile is None:
        return f"the export holds no profile text: check it at {_menu(acct.platform)}"
    return None


class BioCredentials(AccountCheck):
    meta = CheckMeta(
        id="settings.bio-credentials",
        title="Professional profile does not say who is speaking",
        scope=Scope.ACCOUNT,
        severity=Severity.LOW,
        rationale=(
            "Readers weigh health information by who gives it. A professional account that "
            "does not name its profession or credentials leaves them guessing, and a "
            "regulator or employer expects a clinician speaking as one to say so."
        ),
        remediation='Name your profession and credentials in the bio (e.g. "Internist, MD").',
        references=(
            "https://www.ama-assn.org/delivering-care/ethics/professionalism-use-social-media",
        ),
    )

    def check_account(self, account: AccountReport, ctx: CheckContext) -> Iterable[Finding]:
        acct = account.account
        text = _profile_text(account)
        if acct.role not in PROFESSIONAL or text is None:
            return ()
        if names_credentials(f"{text}\n{acct.display_name or ''}"):
            return ()
        name = guide_for(acct.platform)["name"]
        what = "has no bio" if not text.strip() else "names no profession or credentials"
        return (
            self.finding(
                account=acct.key,
                subject="account",
                title=f"Professional {name} account {acct.key} {what}",
                evidence=[_source(account)],
                remediation=f"{self.meta.remediation} Edit it at {_menu(acct.platform)}.",
            ),
        )

    def unjudged(self, account: AccountReport, ctx: CheckContext) -> str | None:
        return no_profile(account, PROFESSIONAL)


class BioDisclaimer(AccountCheck):
    meta = CheckMeta(
        id="settings.bio-disclaimer",
        title='Professional profile lacks a "not medical advice" line',
        scope=Scope.ACCOUNT,
        severity=Severity.LOW,
        rationale=(
            "A reader may take a clinician's post as advice for their own case. A plain line "
            "in the bio that posts are general information, not medical advice, sets that "
            "expectation and points them to their own clinician."
        ),
        remediation=(
            'Add a line to the bio such as "General information, not medical advice: see your '
            'own clinician".'
        ),
        references=("FSMB, Social Media and Electronic Communications (policy, 2019)",),
    )

    def check_account(self, account: AccountReport, ctx: CheckContext) -> Iterable[Finding]:
        acct = account.account
        text = _profile_text(account)
        if acct.role not in PUBLIC_FACING or text is None or has_disclaimer(text):
            return ()
        name = guide_for(acct.platform)["name"]
        return (
            self.finding(
                account=acct.key,
                subject="account",
                title=(
                    f"{acct.role.capitalize()} {name} account {acct.key} does not say that its "
                    "posts are not medical advice"
                ),
                evidence=[_source(account)],
                remediation=f"{self.meta.remediation} Edit it at {_menu(acct.platform)}.",
            ),
        )

    def unjudged(self, account: AccountReport, ctx: CheckContext) -> str | None:
        return no_profile(account, PUBLIC_FACING)
