"""`auditor audit` with a Reddit account read live (HTTP mocked with responses): the one token
POST, both listings merged newest first and paged to the end, rate limits with a faked clock,
faults as one line naming `auditor login reddit`, the post cache, and the same fingerprints as
the data export."""

import base64
import json
from datetime import UTC, datetime

import pytest
import responses
from live_helpers import audit, errors
from responses.matchers import query_param_matcher
from test_reddit import export

from auditor import __version__, cli
from auditor.config import AccountConfig
from auditor.engine import open_source
from auditor.live.http import ApiClient
from auditor.live.reddit import RedditConnector
from auditor.plugins import discover

BASE = "https://oauth.reddit.com"
TOKEN_URL = "https://www.reddit.com/api/v1/access_token"
USER = "dr_throwaway"
SECRET = {
    "client_id": "cl1ent-ID",
    "client_secret": "cl1ent-S3CRET",
    "refresh_token": "r3fresh-T0KEN",
}
ACCESS = "acc3ss-T0KEN"
ME = {
    "name": USER,
    "id": "1a2b3c",
    "created_utc": 1609459200.0,
    "has_verified_email": True,
    "over_18": False,
    "hide_from_robots": False,
    "linked_identities": [],
    "pref_show_presence": True,
    "subreddit": {"display_name": f"u_{USER}", "public_description": "", "over_18": False},
}
PREFS = {
    "hide_from_robots": False,
    "show_presence": True,
    "accept_pms": "everyone",
    "enable_followers": True,
    "public_votes": False,
    "allow_clicktracking": False,
    "email_digests": True,
}
PATIENT = "Saw a 91-year-old retired fire chief from Brookfield in the ED tonight, bed 4"
T0 = 1_760_000_000.0


def submission(sid, title, selftext="", created=T0, url=None, permalink=None):
    permalink = permalink or f"/r/medicine/comments/{sid}/x/"
    return {
        "kind": "t3",
        "data": {
            "id": sid,
            "name": f"t3_{sid}",
            "title": title,
            "selftext": selftext,
            "url": url or f"https://www.reddit.com{permalink}",
            "permalink": permalink,
            "subreddit": "medicine",
            "author": USER,
            "created_utc": created,
            "edited": False,
            "is_self": url is None,
        },
    }


def comment(cid, body, created=T0, link="p9"):
    return {
        "kind": "t1",
        "data": {
            "id": cid,
            "name": f"t1_{cid}",
            "body": body,
            "link_id": f"t3_{link}",
            "parent_id": f"t3_{link}",
            "subreddit": "medicine",
            "author": USER,
            "created_utc": created,
            "edited": False,
            "permalink": f"/r/medicine/comments/{link}/x/{cid}/",
        },
    }


def listing(what, children, after=None, next_after=None, **extra):
    """One page of /user/NAME/{submitted,comments}, matched on its exact query."""
    query = {"limit": "100", "raw_json": "1", "sort": "new", **({"after": after} if after else {})}
    body = {
        "kind": "Listing",
        "data": {"after": next_after, "before": None, "dist": len(children), "children": children},
    }
    responses.get(
        f"{BASE}/user/{USER}/{what}", json=body, match=[query_param_matcher(query)], **extra
    )


def login(**extra):
    responses.post(
        TOKEN_URL,
        json={"access_token": ACCESS, "token_type": "bearer", "expires_in": 3600},
        **extra,
    )


def account(me=ME, prefs=PREFS, **extra):
    login()
    responses.get(f"{BASE}/api/v1/me", json=me, **extra)
    responses.get(f"{BASE}/api/v1/me/prefs", json=prefs)


def write_config(tmp_path, role="personal", export=None, handle=f"u/{USER}"):
    """The account read live, or (given an export) the same account for `auditor scan`."""
    path = tmp_path / f"config-{role}-{'export' if export else 'api'}.toml"
    source = json.dumps(str(export)) if export else '"api"\ntoken = "keyring:reddit/token"'
    path.write_text(
        f'[[accounts]]\nplatform = "reddit"\nhandle = "{handle}"\nrole = "{role}"\n'
        f"source = {source}\n"
    )
    return path


@pytest.fixture
def config(tmp_path, memory_keyring):
    memory_keyring.set_password("reddit", "token", json.dumps(SECRET))
    return write_config(tmp_path)


@pytest.fixture
def no_sleep(monkeypatch):
    waits = []
    monkeypatch.setattr("auditor.live.http.time.sleep", waits.append)
    monkeypatch.setattr("auditor.live.http.time.time", lambda: 1_000_000.0)
    return waits


def listing_calls():
    return [c.request.url for c in responses.calls if "/user/" in c.request.url]


@responses.activate
def test_paging_to_the_end_of_both_listings(config, tmp_path, no_sleep):
    account()
    listing(
        "submitted",
        [submission("s3", "Long run today", created=T0 + 300), submission("s2", "Bread day")],
        next_after="t3_s2",
    )
    listing("submitted", [submission("s1", "New PR", created=T0 - 900)], after="t3_s2")
    listing(
        "comments",
        [comment("c2", PATIENT, created=T0 + 100), comment("c1", "[removed]", created=T0 - 50)],
    )
    code, doc = audit(config, tmp_path)
    assert code == 0 and errors(doc) == []
    [acct] = doc["accounts"]
    assert acct["key"] == f"reddit:{USER}"
    assert (acct["posts_scanned"], acct["comments_scanned"]) == (3, 1)  # [removed] has no words
    flagged = [f for f in doc["findings"] if f["check"] == "content.patient-identifiers"]
    assert [f["post"]["id"] for f in flagged] == ["c2"]
    assert flagged[0]["post"]["url"] == "https://www.reddit.com/r/medicine/comments/p9/x/c2/"
    # the live preferences are judged like the export's: a personal account found by search
    assert "settings.discoverable-personal-account" in {f["check"] for f in doc["findings"]}
    # both first pages before the second submissions page: one stream in time order
    assert [u.split("/user/dr_throwaway/")[1].split("?")[0] for u in listing_calls()] == [
        "submitted",
        "comments",
        "submitted",
    ]
    # GET only, but for the one token POST; Reddit's User-Agent on every call
    methods = [(c.request.method, c.request.url) for c in responses.calls]
    assert methods[0] == ("POST", TOKEN_URL)
    assert all(m == "GET" for m, _ in methods[1:])
    agent = f"python:footprint-auditor:{__version__} (by /u/{USER})"
    assert {c.request.headers["User-Agent"] for c in responses.calls} == {agent}


@responses.activate
def test_pages_merge_the_listings_newest_first():
    client = ApiClient("reddit", BASE, f"reddit:{USER}", token=ACCESS, sleep=lambda s: None)
    connector = RedditConnector(AccountConfig("reddit", USER, "personal"), client)
    listing(
        "submitted",
        [submission("s4", "a", created=T0 + 40), submission("s2", "b", created=T0 + 20)],
        next_after="t3_s2",
    )
    listing("submitted", [submission("s0", "c", created=T0)], after="t3_s2")
    listing(
        "comments",
        [comment("c3", "d", created=T0 + 30), comment("c1", "e", created=T0 + 10)],
    )
    pages = list(connector.pages())
    assert [p.id for page in pages for p in page] == ["s4", "c3", "s2", "c1", "s0"]
    assert all(len(page) for page in pages)


@responses.activate
def test_rate_limit_headers_are_waited_out(config, tmp_path, no_sleep):
    # Reddit sends Remaining as a float string and Reset as seconds from now
    account(headers={"X-Ratelimit-Remaining": "0.0", "X-Ratelimit-Reset": "30"})
    listing(
        "submitted",
        [submission("s1", "Bread day")],
        headers={"X-Ratelimit-Remaining": "0.0", "X-Ratelimit-Reset": "45"},
    )
    listing("comments", [comment("c1", PATIENT)])
    code, doc = audit(config, tmp_path)
    assert code == 0 and errors(doc) == []
    assert no_sleep == [30.0, 45.0]
    assert doc["accounts"][0]["posts_scanned"] == 1


@responses.activate
def test_429_without_headers_backs_off_then_succeeds(config, tmp_path, no_sleep):
    account()
    responses.get(f"{BASE}/user/{USER}/submitted", status=429)
    listing("submitted", [submission("s1", "Bread day")])
    listing("comments", [comment("c1", PATIENT)])
    code, doc = audit(config, tmp_path)
    assert code == 0 and errors(doc) == []
    assert no_sleep == [1.0]
    assert doc["accounts"][0]["comments_scanned"] == 1


@responses.activate
def test_a_server_error_then_success(config, tmp_path, no_sleep):
    login()
    responses.get(f"{BASE}/api/v1/me", status=500)
    responses.get(f"{BASE}/api/v1/me", json=ME)
    responses.get(f"{BASE}/api/v1/me/prefs", json=PREFS)
    listing("submitted", [])
    responses.get(f"{BASE}/user/{USER}/comments", status=502)
    listing("comments", [comment("c1", PATIENT)])
    code, doc = audit(config, tmp_path)
    assert code == 0 and errors(doc) == []
    assert no_sleep == [1.0, 1.0]
    assert doc["accounts"][0]["comments_scanned"] == 1


@pytest.mark.parametrize(
    ("status", "body"),
    [
        (400, {"error": "invalid_grant"}),
        (200, {"error": "invalid_grant"}),
        (401, {"message": "Unauthorized", "error": 401}),
    ],
)
@responses.activate
def test_a_refused_authorisation_names_the_login_command(config, tmp_path, status, body):
    responses.post(TOKEN_URL, status=status, json=body)
    code, doc = audit(config, tmp_path)
    assert code == 3
    [err] = errors(doc)
    assert err["file"] == f"reddit:u/{USER}" and "`auditor login reddit`" in err["message"]
    report = json.dumps(doc)
    assert not any(v in report for v in SECRET.values())
    assert len(responses.calls) == 1  # nothing read without a token


@responses.activate
def test_the_token_travels_only_in_the_authorization_header(config, tmp_path):
    account()
    listing("submitted", [])
    listing("comments", [])
    audit(config, tmp_path)
    post, *gets = responses.calls
    basic = base64.b64encode(b"cl1ent-ID:cl1ent-S3CRET").decode()
    assert post.request.headers["Authorization"] == f"Basic {basic}"
    assert "grant_type=refresh_token" in post.request.body
    assert "r3fresh-T0KEN" in post.request.body and "r3fresh-T0KEN" not in post.request.url
    for call in gets:
        assert call.request.headers["Authorization"] == f"Bearer {ACCESS}"
        assert ACCESS not in call.request.url and call.request.body is None


@responses.activate
def test_a_script_app_logs_in_with_the_password_grant(tmp_path, memory_keyring):
    memory_keyring.set_password(
        "reddit",
        "token",
        json.dumps({"client_id": "id", "client_secret": "s", "username": USER, "password": "pw"}),
    )
    account()
    listing("submitted", [])
    listing("comments", [])
    code, _ = audit(write_config(tmp_path), tmp_path)
    assert code == 0
    form = responses.calls[0].request.body
    assert "grant_type=password" in form and f"username={USER}" in form


@pytest.mark.parametrize("stored", ["a-bare-t0ken-value", json.dumps({"client_id": "x"})])
@responses.activate
def test_a_secret_that_is_not_the_login_json_names_the_command(tmp_path, memory_keyring, stored):
    memory_keyring.set_password("reddit", "token", stored)
    code, doc = audit(write_config(tmp_path), tmp_path)
    assert code == 3
    [err] = errors(doc)
    assert "run `auditor login reddit`" in err["message"]
    assert "a-bare-t0ken-value" not in json.dumps(doc)
    assert len(responses.calls) == 0


@responses.activate
def test_a_token_of_another_account_is_refused(config, tmp_path):
    account(me={**ME, "name": "someone_else"})
    code, doc = audit(config, tmp_path)
    assert code == 3
    [err] = errors(doc)
    assert "belongs to u/someone_else, not u/dr_throwaway" in err["message"]
    assert not listing_calls()


@responses.activate
def test_malformed_json_is_one_error(config, tmp_path):
    account()
    responses.get(f"{BASE}/user/{USER}/submitted", body='{"kind": "Listing", "data": {')
    listing("comments", [])
    code, doc = audit(config, tmp_path)
    assert code == 3
    [err] = errors(doc)
    assert err["file"] == f"reddit:u/{USER}" and "not JSON" in err["message"]


@responses.activate
def test_a_200_that_is_not_a_listing_is_a_rate_limit_not_an_empty_account(config, tmp_path):
    account()
    responses.get(
        f"{BASE}/user/{USER}/submitted", json={"message": "Too Many Requests", "error": 429}
    )
    listing("comments", [])
    code, doc = audit(config, tmp_path)
    assert code == 3
    [err] = errors(doc)
    assert "Too Many Requests" in err["message"] and "run the audit again later" in err["message"]


@responses.activate
def test_an_empty_account(tmp_path, memory_keyring):
    memory_keyring.set_password("reddit", "token", json.dumps(SECRET))
    account()
    listing("submitted", [])
    listing("comments", [])
    code, doc = audit(write_config(tmp_path, "professional"), tmp_path)
    assert code == 0 and errors(doc) == []
    assert (doc["accounts"][0]["posts_scanned"], doc["accounts"][0]["comments_scanned"]) == (0, 0)
    # no posts, but the settings are judged: a professional account anyone may message
    assert "settings.open-messages" in {f["check"] for f in doc["findings"]}


@responses.activate
def test_a_huge_account_cut_short_by_the_rate_limit_keeps_what_it_fetched(
    config, tmp_path, no_sleep
):
    account()
    subs = [submission(f"s{n}", f"Run number {n}", created=T0 - n) for n in range(100)]
    coms = [comment(f"c{n}", PATIENT, created=T0 - 1000 - n) for n in range(100)]
    listing("submitted", subs, next_after="t3_s99")
    # the comments page spends the window: Reddit asks to wait an hour for the next call
    listing(
        "comments",
        coms,
        next_after="t1_c99",
        headers={"X-Ratelimit-Remaining": "0.0", "X-Ratelimit-Reset": "3600"},
    )
    code, doc = audit(config, tmp_path)
    assert code == 3 and no_sleep == []
    [err] = errors(doc)
    assert "asks to wait 60 min" in err["message"]
    assert "100 posts in the cache are audited" in err["message"]
    # the submissions, all newer than the comments, were yielded before the next fetch
    assert doc["accounts"][0]["posts_scanned"] == 100


def at_reach():
    """A comments listing of ten full pages that then ends: Reddit's reach, not the start."""
    for page in range(10):
        listing(
            "comments",
            [comment(f"c{page}x{n}", "fine", created=T0 - page * 100 - n) for n in range(100)],
            after=f"t1_c{page - 1}x99" if page else None,
            next_after=f"t1_c{page}x99" if page < 9 else None,
        )
    listing("submitted", [submission("s1", "Bread day", created=T0 + 1)])


@responses.activate
def test_a_listing_at_reddits_reach_is_noted():
    client = ApiClient("reddit", BASE, f"reddit:{USER}", token=ACCESS, sleep=lambda s: None)
    connector = RedditConnector(AccountConfig("reddit", USER, "personal"), client)
    at_reach()
    assert sum(len(page) for page in connector.pages()) == 1001  # every fetched one kept
    [note] = connector.notes
    assert "only about the newest 1,000 comments" in note and "data export" in note
    assert not connector.reached_start  # the cached posts it did not see are old, not deleted
    responses.reset()
    listing("submitted", [submission("s1", "Bread day")])
    listing("comments", [comment("c1", "fine")])
    assert sum(len(page) for page in connector.pages()) == 2
    assert connector.notes == []


@responses.activate
def test_the_reach_note_is_in_the_coverage(config, tmp_path):
    account()
    at_reach()
    code, doc = audit(config, tmp_path)
    [source] = doc["coverage"]["sources"]
    assert code == 0 and source["errors"] == []
    assert doc["accounts"][0]["comments_scanned"] == 1000
    assert any("newest 1,000 comments" in m for m in source["files_missing"])


def epoch(text):
    return datetime.strptime(text, "%Y-%m-%d %H:%M:%S").replace(tzinfo=UTC).timestamp()


def export_answers():
    """The items of test_reddit.py's export, as the API answers for them. Its
    user_preferences.csv holds show_presence and allow_clicktracking only, so the API's
    preferences here (prefs, and the copies in me) are those: the settings checks then judge
    both sources alike."""
    login()
    responses.get(
        f"{BASE}/api/v1/me",
        json={
            **{k: v for k, v in ME.items() if k not in ("hide_from_robots", "pref_show_presence")},
            "linked_identities": ["https://accounts.google.com"],
        },
    )
    responses.get(
        f"{BASE}/api/v1/me/prefs", json={"show_presence": True, "allow_clicktracking": False}
    )
    text = 'Saw a 67-year-old in the ED tonight, "stable" now.\nSecond line.'
    listing(
        "submitted",
        [
            submission(
                "p3",
                "[deleted]",
                "[deleted]",
                created=epoch("2024-03-01 10:00:00"),
                permalink="/r/x/comments/p3/gone/",
            ),
            submission(
                "p2",
                "New PR",
                created=epoch("2024-02-01 10:00:00"),
                url="https://i.redd.it/x.jpg",
                permalink="/r/running/comments/p2/pr/",
            ),
            submission(
                "p1",
                "Night shift thoughts",
                text,
                created=epoch("2024-01-02 03:04:05"),
                permalink="/r/medicine/comments/p1/night_shift/",
            ),
        ],
    )
    listing(
        "comments",
        [
            comment("c2", "[removed]", created=epoch("2024-01-04 00:00:00")),
            comment("c1", "Agreed with the OP", created=epoch("2024-01-03 00:00:00")),
        ],
    )


@responses.activate
def test_the_connector_reads_what_the_importer_reads(tmp_path):
    imp = open_source(export(tmp_path), discover())
    from_export = list(imp.posts)
    (_, export_security) = next(iter(imp.accounts.values()))
    export_answers()
    client = ApiClient("reddit", BASE, f"reddit:{USER}", sleep=lambda s: None)
    connector = RedditConnector(AccountConfig("reddit", USER, "personal"), client)
    connector.authenticate(json.dumps(SECRET))
    snap = connector.snapshot()
    from_api = [p for page in connector.pages() for p in page]
    # one Post, field for field (ids, joined texts, permalinks, times, media, kinds)
    assert sorted(from_api, key=lambda p: p.id) == sorted(from_export, key=lambda p: p.id)
    assert snap.account.key == f"reddit:{USER}"
    settings = {(s.name, str(s.value).lower()) for s in snap.security.settings}
    assert settings == {(s.name, s.value) for s in export_security.settings}


@responses.activate
def test_the_export_and_the_api_give_the_same_fingerprints(tmp_path, memory_keyring):
    memory_keyring.set_password("reddit", "token", json.dumps(SECRET))
    root = export(tmp_path)
    export_answers()
    for role in ("personal", "professional"):
        # the plain name: the config's account lookup for an export takes no "u/"
        live = write_config(tmp_path, role, handle=USER)
        code, api = audit(live, tmp_path, "--refresh", "--offline")
        assert code == 0 and errors(api) == []
        out = tmp_path / "scan.json"
        plain = write_config(tmp_path, role, export=root, handle=USER)
        cli.main(["scan", str(root), "--config", str(plain), "-o", str(out), "-q", "--offline"])
        scan = json.loads(out.read_text())
        # the export's account has no role of its own: the config gives both the same one
        assert api["accounts"][0]["key"] == scan["accounts"][0]["key"] == f"reddit:{USER}"
        fps = {f["fingerprint"]: f["check"] for f in scan["findings"]}
        assert "content.patient-identifiers" in fps.values()
        # Equal but where one source holds what the other lacks: the export alone has the
        # e-mail address and the login IPs, the API alone the profile (the export has no bio:
        # its checks are unjudged there), so checks judging those fire on one side only.
        # Every finding on what both show, posts and settings, has one fingerprint.
        export_only = ("security.email", "security.sessions", "security.logins")
        api_only = ("settings.bio-",)
        assert {
            f["fingerprint"]: f["check"]
            for f in api["findings"]
            if not f["check"].startswith(api_only)
        } == {fp: check for fp, check in fps.items() if not check.startswith(export_only)}
        scanned = ("posts_scanned", "comments_scanned")
        assert [api["accounts"][0][k] for k in scanned] == [scan["accounts"][0][k] for k in scanned]


@responses.activate
def test_the_second_audit_fetches_only_new_items_from_both_listings(config, tmp_path):
    account()
    listing(
        "submitted",
        [submission("s2", "Long run today", created=T0), submission("s1", "Bread", created=T0 - 9)],
    )
    listing("comments", [comment("c1", "Agreed", created=T0 - 5)])
    first = audit(config, tmp_path)[1]
    assert first["accounts"][0]["posts_scanned"] == 2
    responses.reset()
    account()
    # the newest submission is cached already, but a comment came after it; both listings
    # say there is more, which the incremental audit must not ask for
    listing(
        "submitted",
        [submission("s2", "Long run today", created=T0), submission("s1", "Bread", created=T0 - 9)],
        next_after="t3_s1",
    )
    listing(
        "comments",
        [comment("c2", PATIENT, created=T0 + 60), comment("c1", "Agreed", created=T0 - 5)],
        next_after="t1_c1",
    )
    code, second = audit(config, tmp_path)
    assert code == 0 and errors(second) == []
    assert len(listing_calls()) == 2  # one page of each: the rest is cached
    acct = second["accounts"][0]
    assert (acct["posts_scanned"], acct["comments_scanned"]) == (2, 2)
    flagged = [f["post"]["id"] for f in second["findings"] if f["post"]]
    assert "c2" in flagged
    assert {f["fingerprint"] for f in first["findings"]} <= {
        f["fingerprint"] for f in second["findings"]
    }
    assert any("1 new posts fetched" in f for f in second["coverage"]["sources"][0]["files_found"])


@responses.activate
def test_whoami_reads_the_name(memory_keyring):
    client = ApiClient("reddit", BASE, f"reddit:{USER}")
    connector = RedditConnector(AccountConfig("reddit", USER, "personal"), client)
    login()
    responses.get(f"{BASE}/api/v1/me", json=ME)
    connector.authenticate(json.dumps(SECRET))
    assert connector.whoami() == USER
    assert [c.request.method for c in responses.calls] == ["POST", "GET"]
