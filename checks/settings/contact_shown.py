"""settings.contact-on-profile: a personal phone number or e-mail address shown on a
professional profile. Patients then write and call there, outside the practice's records, and
the login address shown is half of what an account takeover needs."""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache

from auditor.checks import AccountCheck, CheckContext, CheckMeta
from auditor.checks.security.two_factor import guide_for
from auditor.checks.settings.baseline import profile_data
from auditor.checks.settings.bio import PUBLIC_FACING, no_profile
from auditor.model import AccountReport, Evidence, Finding, Scope, Severity

EMAIL = re.compile(r"[\w.+-]+@([\w-]+(?:\.[\w-]+)+)")
PHONE = re.compile(r"(?<![\w+])\+?\(?\d[\d ().-]{7,}\d(?!\w)")
OTHER_NUMBER = "a phone number (yours, or the practice's?)"
PHONE_DIGITS = 9  # a number is compared by its last nine digits (no country or trunk prefix)


@cache
def _webmail() -> frozenset[str]:
    return frozenset(profile_data()["personal_mail_domains"])


def _digits(text: str) -> str:
    return re.sub(r"\D", "", text)


def contacts(text: str, own_emails: Iterable[str], own_phones: Iterable[str]) -> list[Evidence]:
    """The personal contacts in a profile text: a webmail address or the account's own
    address, the account's own phone number, or any other phone number (which may be the
    practice's: the finding asks)."""
    own_mail = {e.casefold() for e in own_emails}
    own_tel = {_digits(p)[-PHONE_DIGITS:] for p in own_phones if len(_digits(p)) >= 7}
    found = []
    for m in EMAIL.finditer(text):
        address = m.group(0).casefold()
        if address in own_mail:
            found.append(Evidence("email", "the account's own login e-mail address", m.group(0)))
        elif m.group(1).casefold() in _webmail():
            found.append(Evidence("email", "a personal (webmail) e-mail address", m.group(0)))
    for m in PHONE.finditer(EMAIL.sub(" ", text)):
        digits = _digits(m.group(0))
        if not 9 <= len(digits) <= 15:
            continue
        if digits[-PHONE_DIGITS:] in own_tel:
            found.append(Evidence("phone", "the phone number on file for the account", m.group(0)))
        else:
            found.append(Evidence("phone", OTHER_NUMBER, m.group(0)))
    return found


class ContactOnProfile(AccountCheck):
    meta = CheckMeta(
        id="settings.contact-on-profile",
        title="Personal phone number or e-mail on a professional profile",
        scope=Scope.ACCOUNT,
        severity=Severity.MEDIUM,
        rationale=(
            "Patients write and call the contact a profile shows, with their health details, "
            "outside the practice's records and hours; a personal number or address also "
            "reaches you at home, and a login address shown is half of an account takeover."
        ),
        remediation=(
            "Remove personal phone numbers and e-mail addresses from the profile; give the "
            "practice's contact page instead."
        ),
        references=("https://www.hhs.gov/hipaa/for-professionals/privacy/guidance/index.html",),
    )

    def check_account(self, account: AccountReport, ctx: CheckContext) -> Iterable[Finding]:
        acct, sec = account.account, account.security
        if acct.role not in PUBLIC_FACING or sec.profile is None:
            return ()
        findings = []
        for what, text in sec.profile.texts():
            found = contacts(text, sec.emails, sec.phones)
            if not found:
                continue
            personal = any(e.label != OTHER_NUMBER for e in found)
            name = guide_for(acct.platform)["name"]
            edit = profile_data()["bio_menu"].get(acct.platform, "the profile's edit page")
            findings.append(
                self.finding(
                    account=acct.key,
                    subject=f"profile:{what}",
                    title=(
                        f"The {what} of {acct.role} {name} account {acct.key} shows "
                        + ("a personal contact" if personal else "a phone number")
                    ),
                    evidence=found,
                    severity=None if personal else Severity.LOW,
                    remediation=(
                        f"{self.meta.remediation} Edit it at {edit}."
                        + ("" if personal else " If the number is the practice's, keep it.")
                    ),
                )
            )
        return findings

    def unjudged(self, account: AccountReport, ctx: CheckContext) -> str | None:
        return no_profile(account, PUBLIC_FACING)
