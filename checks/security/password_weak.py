"""security.password-weak: a password a guesser would find, judged by zxcvbn (dictionary
words, names, dates, keyboard walks, l33t), not by a length rule. Each distinct password is
judged once; the finding gives zxcvbn's score and advice, never the password."""

from __future__ import annotations

import multiprocessing
import os
import sys
from collections.abc import Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from auditor.checks import CheckContext, CheckMeta, ProfileCheck
from auditor.checks.security.logins import judged_logins
from auditor.model import AccountReport, Evidence, Finding, Scope, Severity

WEAK_BELOW = 3  # zxcvbn scores 0-4; under 3 is "somewhat guessable" or worse
MAX_JUDGED = 64  # zxcvbn's cost grows with length; a longer password is judged by its start
# zxcvbn's time grows with the square of the length (1 ms at 12 characters, 3 at 24). A
# password whose first 12 characters already score 4 (over 10^10 guesses, two orders above
# the weak mark) only gets harder with more: the rest is not judged. Most generated
# passwords stop there.
PREFIX = 12


POOL_FROM = 200  # distinct passwords from which both cores share the estimating


def estimate(passwords: set[str]) -> dict[str, dict[str, Any]]:
    """zxcvbn's verdict on each password (score, feedback, crack time only). zxcvbn takes
    about 1.5 ms a password, so a large vault is split over a forked process per core; the
    passwords travel over a local pipe and are never written anywhere."""
    if not passwords:
        return {}
    import zxcvbn  # noqa: F401  (its word lists load in a quarter second: only when needed)

    items = sorted(passwords)
    if len(items) >= POOL_FROM and sys.platform.startswith("linux") and (os.cpu_count() or 1) > 1:
        try:
            ctx = multiprocessing.get_context("fork")
            with ProcessPoolExecutor(max_workers=os.cpu_count(), mp_context=ctx) as pool:
                return dict(zip(items, pool.map(_verdict, items, chunksize=64), strict=True))
        except (OSError, BrokenProcessPool):
            pass  # no second process here: judge them in this one
    return {pw: _verdict(pw) for pw in items}


def _verdict(password: str) -> dict[str, Any]:
    from zxcvbn import zxcvbn

    result = None
    if len(password) > PREFIX:
        start = zxcvbn(password[:PREFIX])
        if start["score"] == 4:
            result = start
    if result is None:
        result = zxcvbn(password[:MAX_JUDGED])
    return {
        "score": result["score"],
        "feedback": result.get("feedback") or {},
        "crack_times_display": {
            k: v
            for k, v in (result.get("crack_times_display") or {}).items()
            if k == "offline_slow_hashing_1e4_per_second"
        },
    }


class PasswordWeak(ProfileCheck):
    meta = CheckMeta(
        id="security.password-weak",
        title="Guessable password",
        scope=Scope.PROFILE,
        severity=Severity.HIGH,
        rationale=(
            "A password made of words, names, dates or patterns falls to a guessing attack in "
            "hours, whatever its length; a clinician's account then posts in their name."
        ),
        remediation=(
            "Replace it with one from your password manager's generator (or four or more random "
            "words), and turn on two-factor authentication."
        ),
        references=("https://github.com/dropbox/zxcvbn", "NIST SP 800-63B, section 5.1.1.2"),
    )

    def check_profile(
        self, accounts: Sequence[AccountReport], ctx: CheckContext
    ) -> Iterable[Finding]:
        judged_all = judged_logins(accounts, ctx)
        scores = estimate({j.login.password for j in judged_all})
        for judged in judged_all:
            result = scores[judged.login.password]
            if result["score"] >= WEAK_BELOW:
                continue
            feedback = result.get("feedback") or {}
            advice = [feedback.get("warning") or "", *feedback.get("suggestions", ())]
            crack = result.get("crack_times_display", {}).get("offline_slow_hashing_1e4_per_second")
            yield self.finding(
                account=judged.account,
                subject=f"password:{judged.login.domain}",
                title=(
                    f"The password of the {judged.login.domain} login is guessable "
                    f"(zxcvbn score {result['score']} of 4"
                    + (f"; about {crack} to crack offline" if crack else "")
                    + ")"
                ),
                evidence=[Evidence("zxcvbn", a) for a in advice if a],
            )
