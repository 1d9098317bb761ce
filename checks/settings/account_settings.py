"""settings.*: the account's privacy settings against the baseline for its role.

Each check here is one rule of `baseline.toml`, its metadata (title, severity, why, what to do)
read from there, so a new rule is a table in the data file and a three-line class. A setting
the export does not show is never reported as fine: the coverage names it with the menu path
where the user can look."""

from __future__ import annotations

from collections.abc import Iterable
from typing import ClassVar

from auditor.checks import AccountCheck, CheckContext, CheckMeta
from auditor.checks.security.two_factor import guide_for
from auditor.checks.settings.baseline import judge, rule, unknown_reason
from auditor.model import AccountReport, Evidence, Finding, Scope, Severity


class SettingRule(AccountCheck):
    """A check made of one baseline rule: subclasses name it in `rule_name`."""

    rule_name: ClassVar[str]

    def __init_subclass__(cls, **kwargs: object) -> None:
        super().__init_subclass__(**kwargs)
        spec = rule(cls.rule_name)
        cls.meta = CheckMeta(
            id=f"settings.{cls.rule_name}",
            title=spec["title"],
            scope=Scope.ACCOUNT,
            severity=Severity(spec["severity"]),
            rationale=spec["rationale"],
            remediation=spec["remediation"],
            references=tuple(spec.get("references", ())),
        )

    def check_account(self, account: AccountReport, ctx: CheckContext) -> Iterable[Finding]:
        verdict = judge(self.rule_name, account)
        if verdict is None or verdict.state != "bad":
            return ()
        acct = account.account
        spec = rule(self.rule_name)
        name = guide_for(acct.platform)["name"]
        where = f" Change it at {verdict.menu}." if verdict.menu else ""
        return (
            self.finding(
                account=acct.key,
                subject="account",
                title=f"{acct.role.capitalize()} {name} account {acct.key} {spec['problem']}",
                evidence=[Evidence("setting", e) for e in verdict.evidence],
                remediation=self.meta.remediation + where,
            ),
        )

    def unjudged(self, account: AccountReport, ctx: CheckContext) -> str | None:
        verdict = judge(self.rule_name, account)
        if verdict is None or verdict.state != "unknown":
            return None
        return unknown_reason(verdict)


class PublicPersonalAccount(SettingRule):
    rule_name = "public-personal-account"


class DiscoverablePersonalAccount(SettingRule):
    rule_name = "discoverable-personal-account"


class FindableByContact(SettingRule):
    rule_name = "findable-by-contact"


class OpenMessages(SettingRule):
    rule_name = "open-messages"


class OpenFriendRequests(SettingRule):
    rule_name = "open-friend-requests"
