"""settings.*: privacy settings and the public profile against the baseline for each role,
from what the importers found; a setting the export does not show is named in the coverage,
never reported as fine."""

import json
from datetime import UTC, date, datetime

import pytest

from auditor.checks import CheckContext
from auditor.checks.settings.account_settings import (
    DiscoverablePersonalAccount,
    FindableByContact,
    OpenFriendRequests,
    OpenMessages,
    PublicPersonalAccount,
)
from auditor.checks.settings.baseline import baseline, judge
from auditor.checks.settings.bio import BioCredentials, BioDisclaimer, has_disclaimer
from auditor.checks.settings.contact_shown import ContactOnProfile, contacts
from auditor.checks.settings.location_on_posts import LocationOnPosts
from auditor.engine import open_source
from auditor.model import (
    Account,
    AccountReport,
    PostRef,
    PostSample,
    Profile,
    SecurityState,
    Setting,
)
from auditor.plugins import discover

from conftest import DATA, run_cli
from xbuild import account, js, tweet, write_archive

CTX = CheckContext(today=date(2026, 12, 2))


def report(platform="x", role="personal", handle="someone", posts=0, **security):
    return AccountReport(
        Account(platform, handle, role=role), SecurityState(**security), posts, 0, 0
    )


def with_settings(platform, role, **values):
    return report(
        platform, role, settings=tuple(Setting(k, v, "export.json") for k, v in values.items())
    )


# --- the baseline data ----------------------------------------------------------------------


def test_every_rule_is_a_registered_check_with_a_menu_for_each_platform():
    checks = discover().checks
    for name, spec in baseline()["rules"].items():
        assert f"settings.{name}" in checks
        assert set(spec["roles"]) <= {"personal", "professional", "practice"}
        for platform, where in spec["platforms"].items():
            assert where["menu"], (name, platform)
            assert {"private", "setting", "fixed", "menu", "bad", "good"} >= set(where)


# --- settings read from the export -----------------------------------------------------------


def test_public_personal_account_from_the_private_flag():
    public = report("instagram", private=False, private_evidence="private account false")
    [f] = PublicPersonalAccount().check_account(public, CTX)
    assert f.check == "settings.public-personal-account" and f.severity.value == "medium"
    assert f.title.startswith("Personal Instagram account instagram:someone is public")
    assert "Account privacy > Private account" in f.remediation
    assert f.evidence[0].label == "private account false"
    assert not PublicPersonalAccount().check_account(report("instagram", private=True), CTX)
    # the same account kept for work is held to another rule
    assert not PublicPersonalAccount().check_account(
        report("instagram", "professional", private=False), CTX
    )


def test_unknown_is_never_fine_it_is_named_with_where_to_look():
    unknown = report("x")
    assert not PublicPersonalAccount().check_account(unknown, CTX)
    why = PublicPersonalAccount().unjudged(unknown, CTX)
    assert "does not show" in why and "Protect your posts" in why
    # no role in the config: the rules differ by role, so none is guessed
    why = PublicPersonalAccount().unjudged(report("instagram", role=None, private=False), CTX)
    assert "role" in why and "[[accounts]]" in why
    # a platform without the setting: nothing to say, nothing lacking
    assert judge("open-friend-requests", report("bluesky")) is None
    assert OpenFriendRequests().unjudged(report("bluesky"), CTX) is None


def test_a_platform_with_no_private_accounts_always_breaks_the_rule():
    [f] = PublicPersonalAccount().check_account(report("bluesky", private=False), CTX)
    assert "no private accounts" in f.evidence[0].label


def test_mastodon_discoverable_and_unlocked():
    acct = with_settings(
        "mastodon", "personal", discoverable=True, indexable=False, manuallyApprovesFollowers=False
    )
    [f] = DiscoverablePersonalAccount().check_account(acct, CTX)
    assert f.evidence[0].label == "export.json: discoverable = True"
    assert "Privacy and reach" in f.remediation
    [f] = OpenFriendRequests().check_account(acct, CTX)
    assert "Require follow requests" in f.remediation
    locked = with_settings(
        "mastodon", "personal", discoverable=False, indexable=False, manuallyApprovesFollowers=True
    )
    assert not DiscoverablePersonalAccount().check_account(locked, CTX)
    assert DiscoverablePersonalAccount().unjudged(locked, CTX) is None


def test_open_messages_on_a_professional_bluesky_account():
    rule = OpenMessages()
    open_to_all = with_settings("bluesky", "professional", allow_incoming_dms="all")
    [f] = rule.check_account(open_to_all, CTX)
    assert f.title.endswith("accepts direct messages from anyone")
    assert "Allow new messages from" in f.remediation
    assert not rule.check_account(
        with_settings("bluesky", "professional", allow_incoming_dms="following"), CTX
    )
    # a value the baseline does not know is unknown, and says what the export showed
    odd = with_settings("bluesky", "professional", allow_incoming_dms="mutuals")
    assert not rule.check_account(odd, CTX)
    assert "allow_incoming_dms = mutuals" in rule.unjudged(odd, CTX)
    # the rule is for professional accounts only
    personal = with_settings("bluesky", "personal", allow_incoming_dms="all")
    assert not rule.check_account(personal, CTX)


def test_findable_by_contact_is_mostly_something_to_check_by_hand():
    why = FindableByContact().unjudged(report("facebook"), CTX)
    assert "Who can look you up" in why


def test_tiktok_settings_from_both_layouts():
    for layout, expect_public, expect_suggested in (
        ("2022", False, False),
        ("2024", True, True),
    ):
        imp = open_source(next((DATA / "tiktok" / layout).glob("*.json")), discover())
        [(acct, security)] = imp.accounts.values()
        personal = AccountReport(Account("tiktok", acct.handle, role="personal"), security, 1, 0, 0)
        assert bool(PublicPersonalAccount().check_account(personal, CTX)) is expect_public
        assert bool(DiscoverablePersonalAccount().check_account(personal, CTX)) is expect_suggested
        work = AccountReport(Account("tiktok", acct.handle, role="professional"), security, 1, 0, 0)
        assert not OpenMessages().check_account(work, CTX)  # "No one" and "Friends"
        assert OpenMessages().unjudged(work, CTX) is None
        assert security.profile.bio


# --- the profile --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "bio",
    [
        "Internist. Views my own; nothing here is medical advice.",
        "Cardiology fellow. Not medical advice.",
        "Posts are for educational purposes only",
        "This account doesn't give medical advice",
        "#NotMedicalAdvice | nurse",
        "General information, not a substitute for professional medical advice.",
    ],
)
def test_disclaimers(bio):
    assert has_disclaimer(bio)


@pytest.mark.parametrize(
    "bio", ["Runner, baker, internist.", "Ask me anything about medical advice!", "Advice column"]
)
def test_not_disclaimers(bio):
    assert not has_disclaimer(bio)


def test_bio_credentials_and_disclaimer():
    def work(bio, display=None, role="professional"):
        return AccountReport(
            Account("x", "dr", role=role, display_name=display),
            SecurityState(profile=Profile(bio=bio, source="profile.js")),
            0,
            0,
            0,
        )

    bare = work("Runner, baker, coffee. Opinions mine.")
    [f] = BioCredentials().check_account(bare, CTX)
    assert f.title == "Professional X account x:dr names no profession or credentials"
    assert "Profile > Edit profile > Bio" in f.remediation
    [f] = BioDisclaimer().check_account(bare, CTX)
    assert "not medical advice" in f.title
    # credentials in the display name count; upper-case degrees only as written
    assert not BioCredentials().check_account(work("Runner.", display="Maya Okafor, MD"), CTX)
    assert BioCredentials().check_account(work("I do love a run. md."), CTX)
    assert not BioCredentials().check_account(work("Paediatric nurse, NICU."), CTX)
    [f] = BioCredentials().check_account(work(""), CTX)
    assert f.title.endswith("has no bio")
    # a practice's account needs the disclaimer, not personal credentials
    practice = work("Lakeview Internal Medicine. Appointments: see our site.", role="practice")
    assert not BioCredentials().check_account(practice, CTX)
    assert BioDisclaimer().check_account(practice, CTX)
    # personal accounts are not asked for either
    assert not BioCredentials().check_account(work("Runner.", role="personal"), CTX)
    # no profile in the export: unknown, named in the coverage
    none = report("reddit", "professional")
    assert not BioCredentials().check_account(none, CTX)
    assert "no profile text" in BioCredentials().unjudged(none, CTX)


def test_contacts_in_a_profile_text():
    found = contacts(
        "Book: maya.okafor@gmail.com or +1 (555) 010-2242. Office: info@lakeviewim.org",
        own_emails=(),
        own_phones=("+15550102242",),
    )
    assert [(e.kind, e.label, e.text) for e in found] == [
        ("email", "a personal (webmail) e-mail address", "maya.okafor@gmail.com"),
        ("phone", "the phone number on file for the account", "+1 (555) 010-2242"),
    ]
    [e] = contacts("write to me: dr@lakeviewim.org", ("DR@lakeviewim.org",), ())
    assert e.label == "the account's own login e-mail address"
    # years, ranges and short numbers are not phone numbers
    assert not contacts("MD 2009-2015, 24/7 on call, est. 1998", (), ())


def test_contact_on_a_professional_profile():
    sec = SecurityState(
        phones=("+44 7700 900123",),
        profile=Profile(bio="GP. Text me on 07700 900123", website="lakeview.example", source="p"),
    )
    acct = AccountReport(Account("x", "dr", role="professional"), sec, 0, 0, 0)
    [f] = ContactOnProfile().check_account(acct, CTX)
    assert f.severity.value == "medium" and f.subject == "profile:bio"
    assert f.title == "The bio of professional X account x:dr shows a personal contact"
    # an unknown number may be the practice's: low, and the finding says so
    sec = SecurityState(profile=Profile(bio="Clinic line 0161 496 0000", source="p"))
    [f] = ContactOnProfile().check_account(
        AccountReport(Account("x", "dr", role="practice"), sec, 0, 0, 0), CTX
    )
    assert f.severity.value == "low" and "practice's, keep it" in f.remediation


def test_location_on_posts():
    when = datetime(2024, 5, 1, tzinfo=UTC)
    sample = PostSample("place", PostRef("1", "https://x.com/dr/status/1", when), "At the clinic")
    tagged = AccountReport(
        Account("x", "dr", role="professional"),
        SecurityState(),
        40,
        0,
        0,
        posts_with_place=3,
        samples=(sample,),
    )
    [f] = LocationOnPosts().check_account(tagged, CTX)
    assert f.title == "3 posts of professional X account x:dr carry a location"
    assert f.evidence[0].label == "post from 2024-05-01 (https://x.com/dr/status/1)"
    assert "Add location information to your posts" in f.remediation
    # X and Facebook exports carry places: none found is evidence; Instagram's do not
    clean = report("x", "professional", posts=40)
    assert not LocationOnPosts().check_account(clean, CTX)
    assert LocationOnPosts().unjudged(clean, CTX) is None
    assert "does not show" in LocationOnPosts().unjudged(report("instagram", "professional"), CTX)
    assert LocationOnPosts().unjudged(report("mastodon", "professional"), CTX) is None


# --- end to end: importers fill the profile; a scan reports and covers ---------------------


def test_mastodon_and_linkedin_profiles_from_real_exports():
    imp = open_source(DATA / "mastodon" / "export-2023-zip", discover())
    [(_, security)] = imp.accounts.values()
    assert security.profile.source == "actor.json"
    assert "hackers.town" in security.profile.bio and "<" not in security.profile.bio
    assert ("Homepage", "https://lmorchard.com") in security.profile.fields
    imp = open_source(DATA / "linkedin", discover())
    [(_, security)] = imp.accounts.values()
    assert security.profile.bio.startswith("Software Developer")
    assert security.profile.location == "Torino"


def test_scan_of_an_x_archive_with_a_bare_bio_and_geotagged_posts(tmp_path):
    geo = tweet("10", "Morning clinic done, coffee next")
    geo["tweet"]["coordinates"] = {"type": "Point", "coordinates": ["-0.1", "51.5"]}
    place = tweet("11", "Lovely team lunch")
    place["tweet"]["place"] = {"full_name": "Brookfield, MA"}
    who = account("drbare")
    who["account"]["accountDisplayName"] = "Sam Bare"  # "Dr" would name a credential
    files = {
        "data/account.js": js("YTD.account.part0", [who]),
        "data/tweets.js": js("YTD.tweets.part0", [geo, place, tweet("12", "Long day")]),
        "data/profile.js": js(
            "YTD.profile.part0",
            [{"profile": {"description": {"bio": "Runner. DMs open: drbare@gmail.com"}}}],
        ),
    }
    archive = write_archive(tmp_path / "x.zip", files)
    config = tmp_path / "config.toml"
    config.write_text('[[accounts]]\nplatform = "x"\nhandle = "drbare"\nrole = "professional"\n')
    proc = run_cli("scan", archive, "--config", config, "-f", "json", "--fail-on", "none")
    assert proc.returncode == 3, proc.stderr  # the security files this archive lacks
    doc = json.loads(proc.stdout)
    by_check = {f["check"]: f for f in doc["findings"]}
    assert by_check["settings.location-on-posts"]["title"].startswith("2 posts of professional")
    assert "settings.bio-credentials" in by_check and "settings.bio-disclaimer" in by_check
    contact = by_check["settings.contact-on-profile"]
    assert "drbare@gmail.com" not in json.dumps(contact)  # masked, as all evidence
    [acct] = doc["accounts"]
    assert acct["security_evidence"]["profile"] is True
    lacking = {x["check"]: x["reason"] for x in acct["checks_lacking_evidence"]}
    assert "Allow message requests" in lacking["settings.open-messages"]
    assert "settings.public-personal-account" not in lacking  # not a rule for this role
    text = run_cli("scan", archive, "--config", config, "--fail-on", "none").stdout
    assert "settings.open-messages: the export does not show this setting" in text
