"""`auditor audit` with an X account read live from API v2 (HTTP mocked with responses):
paging to the end, retweets, replies and places read as the archive reads them, rate limits
with a faked clock, X's HTTP 200 errors as one line, the 3,200-post reach, GET only, and the
same findings from the API as from the archive of the same tweets."""

import json
from datetime import UTC, datetime

import pytest
import responses
from live_helpers import audit, errors

from auditor import cli
from auditor.config import AccountConfig
from auditor.engine import open_source
from auditor.live.http import ApiClient
from auditor.live.x import TIMELINE, XConnector
from auditor.plugins import discover

from xbuild import account, js, tweet, write_archive

BASE = "https://api.x.com"
LOOKUP = f"{BASE}/2/users/by/username/drtest"
TWEETS = f"{BASE}/2/users/42/tweets"
TOKEN = "AAAAbearer-s3cr3t-T0KEN"
NOW = 1_000_000.0
PATIENT = "Saw a 91-year-old retired fire chief from Brookfield in the ED tonight, bed 4"
BIO = "Emergency physician. Views my own. https://t.co/bio1"
SITE = "https://clinic.example/dr-test"


def user(tweet_count=6, **extra):
    return {
        "data": {
            "id": "42",
            "name": "Dr Test",
            "username": "drtest",
            "created_at": "2012-01-01T00:00:00.000Z",
            "description": BIO,
            "location": "Brookfield, MA",
            "url": "https://t.co/site1",
            "protected": False,
            "verified": False,
            "entities": {
                "url": {"urls": [{"start": 0, "end": 18, "url": "https://t.co/site1",
                                  "expanded_url": SITE}]},
                "description": {"urls": [{"start": 35, "end": 52, "url": "https://t.co/bio1",
                                          "expanded_url": "https://ed.example/team"}]},
            },
            "public_metrics": {"followers_count": 120, "following_count": 80,
                               "tweet_count": tweet_count, "listed_count": 1},
            **extra,
        }
    }  # fmt: skip


# One list of tweets, written both as the archive and as the API answers them.
SPECS = [
    {"id": "1700000000000000006", "text": PATIENT, "at": datetime(2024, 3, 9, 23, 5, tzinfo=UTC)},
    {"id": "1700000000000000005", "text": "RT @nejm: New trial results on sepsis bundles",
     "at": datetime(2024, 3, 8, 9, 0, tzinfo=UTC), "retweet": True},
    {"id": "1700000000000000004", "text": "@colleague_rn Thanks, great shift &amp; great team",
     "at": datetime(2024, 3, 7, 20, 15, tzinfo=UTC), "reply_to": "colleague_rn",
     "reply_user": "77", "reply_id": "1699999999999999999"},
    {"id": "1700000000000000003", "text": "Lunch with the residents", "place": "Brookfield, MA",
     "at": datetime(2024, 3, 6, 12, 30, tzinfo=UTC), "media": True},
    {"id": "1700000000000000002", "text": "Morning run before clinic", "coords": (-71.1, 42.3),
     "at": datetime(2024, 3, 5, 6, 45, tzinfo=UTC)},
    {"id": "1700000000000000001", "text": "@drtest and a follow-up thought",
     "at": datetime(2024, 3, 4, 8, 0, tzinfo=UTC), "reply_to": "drtest", "reply_user": "42",
     "reply_id": "1700000000000000000"},
]  # fmt: skip


def api_tweet(spec):
    t = {
        "id": spec["id"],
        "text": spec["text"],
        "edit_history_tweet_ids": [spec["id"]],
        "created_at": spec["at"].strftime("%Y-%m-%dT%H:%M:%S.000Z"),
        "conversation_id": spec.get("reply_id", spec["id"]),
        "lang": "en",
        "possibly_sensitive": False,
        "entities": {},
    }
    if spec.get("retweet"):
        t["referenced_tweets"] = [{"type": "retweeted", "id": "1600000000000000001"}]
    if spec.get("reply_to"):
        t["in_reply_to_user_id"] = spec["reply_user"]
        t["referenced_tweets"] = [{"type": "replied_to", "id": spec["reply_id"]}]
        mention = {"start": 0, "end": len(spec["reply_to"]) + 1, "username": spec["reply_to"]}
        t["entities"]["mentions"] = [{**mention, "id": spec["reply_user"]}]
    if spec.get("place"):
        t["geo"] = {"place_id": "01a2b3c4d5e6f7a8"}
    if spec.get("coords"):
        t["geo"] = {"coordinates": {"type": "Point", "coordinates": list(spec["coords"])}}
    if spec.get("media"):
        t["attachments"] = {"media_keys": ["3_1700000000000000099"]}
    return t


def answer(specs, next_token=None):
    body = {
        "data": [api_tweet(s) for s in specs],
        "meta": {"result_count": len(specs)},
    }
    if any(s.get("place") for s in specs):
        body["includes"] = {
            "places": [
                {"id": "01a2b3c4d5e6f7a8", "full_name": "Brookfield, MA", "country_code": "US"}
            ]
        }
    if next_token:
        body["meta"]["next_token"] = next_token
    return body


def archive_tweet(spec):
    t = tweet(
        spec["id"], spec["text"], created_at=spec["at"].strftime("%a %b %d %H:%M:%S +0000 %Y")
    )
    inner = t["tweet"]
    if spec.get("reply_to"):
        inner["in_reply_to_screen_name"] = spec["reply_to"]
        inner["in_reply_to_status_id_str"] = spec["reply_id"]
        inner["in_reply_to_user_id_str"] = spec["reply_user"]
    if spec.get("place"):
        inner["place"] = {"full_name": spec["place"], "country_code": "US"}
    if spec.get("coords"):
        inner["coordinates"] = {"type": "Point", "coordinates": [str(c) for c in spec["coords"]]}
    if spec.get("media"):
        inner["extended_entities"] = {
            "media": [{"media_url": "http://pbs.twimg.com/media/lunch.jpg", "type": "photo"}]
        }
    return t


def the_archive(path):
    profile = {
        "description": {
            "bio": BIO.replace("https://t.co/bio1", "https://ed.example/team"),
            "website": SITE,
            "location": "Brookfield, MA",
        }
    }
    history = [
        {"protectedHistory": {"protectedAt": "2023-01-01T00:00:00.000Z", "action": "Unprotect"}}
    ]
    return write_archive(
        path,
        {
            "data/account.js": js("YTD.account.part0", [account("drtest")]),
            "data/tweets.js": js("YTD.tweets.part0", [archive_tweet(s) for s in SPECS]),
            "data/profile.js": js("YTD.profile.part0", [{"profile": profile}]),
            "data/protected-history.js": js("YTD.protected_history.part0", history),
        },
    )  # fmt: skip


def query(token=None):
    params = {k: str(v) for k, v in TIMELINE.items()}
    return [responses.matchers.query_param_matcher(
        {**params, **({"pagination_token": token} if token else {})}
    )]  # fmt: skip


def pages(*batches, headers=None):
    """The timeline in pages: page n answers pagination_token tn and points at t(n+1)."""
    for n, batch in enumerate(batches):
        token = f"t{n + 1}" if n + 1 < len(batches) else None
        responses.get(
            TWEETS,
            json=answer(batch, token),
            match=query(f"t{n}" if n else None),
            headers=(headers or {}).get(n, {}),
        )


@pytest.fixture
def config(tmp_path, memory_keyring):
    memory_keyring.set_password("x", "token", TOKEN)
    path = tmp_path / "config.toml"
    path.write_text(
        '[[accounts]]\nplatform = "x"\nhandle = "drtest"\nrole = "professional"\n'
        'source = "api"\ntoken = "keyring:x/token"\n'
    )
    return path


def connector():
    cfg = AccountConfig("x", "drtest", "professional", source="api", token="keyring:x/token")
    client = ApiClient("x", BASE, cfg.key, token=TOKEN, sleep=lambda s: None, clock=lambda: NOW)
    return XConnector(cfg, client)


@responses.activate
def test_paging_to_the_end_with_retweets_replies_places_and_a_patient(config, tmp_path):
    responses.get(LOOKUP, json=user())
    pages(SPECS[:2], SPECS[2:4], SPECS[4:])
    code, doc = audit(config, tmp_path)
    assert code == 0, errors(doc)
    [acct] = doc["accounts"]
    assert acct["key"] == "x:drtest" and acct["posts_scanned"] == 5
    assert acct["private"] is False
    [source] = doc["coverage"]["sources"]
    assert source["reposts_skipped"] == 1 and source["errors"] == []
    assert "cache: 6 new posts fetched" in source["files_found"]
    checks = {f["check"] for f in doc["findings"]}
    assert "content.patient-identifiers" in checks
    # two posts carry a place (a named one, bare coordinates): the professional account's
    places = next(f for f in doc["findings"] if f["check"] == "settings.location-on-posts")
    assert places["title"].startswith("2 posts of professional")
    assert "auditor login x" not in json.dumps(doc) and TOKEN not in json.dumps(doc)
    assert len(responses.calls) == 4
    assert all(c.request.method == "GET" for c in responses.calls)


def test_posts_read_as_the_importer_reads_them(tmp_path):
    with responses.RequestsMock() as mock:
        mock.get(LOOKUP, json=user())
        mock.get(TWEETS, json=answer(SPECS))
        x = connector()
        snap = x.snapshot()
        live = [p for page in x.pages() for p in page]
    imp = open_source(the_archive(tmp_path / "x.zip"), discover())
    archived = list(imp.posts)
    assert live == archived  # every field: ids, texts, times, urls, replies, places, media
    assert snap.account.key == next(iter(imp.accounts)) == "x:drtest"
    by_id = {p.id: p for p in live}
    reply = by_id["1700000000000000004"]
    assert (reply.reply_to, reply.reply_to_id) == ("colleague_rn", "1699999999999999999")
    assert "&amp;" not in reply.text and "& great team" in reply.text
    assert by_id["1700000000000000001"].reply_to == "drtest"  # a self-reply, as the archive
    assert by_id["1700000000000000005"].is_repost
    assert by_id["1700000000000000003"].place == "Brookfield, MA"
    assert by_id["1700000000000000003"].has_media
    assert by_id["1700000000000000002"].place == "42.3, -71.1"
    assert by_id["1700000000000000006"].url == "https://x.com/drtest/status/1700000000000000006"


def test_the_snapshot_reads_the_profile_and_the_protected_flag():
    with responses.RequestsMock() as mock:
        mock.get(LOOKUP, json=user(tweet_count=812))
        snap = connector().snapshot()
        [call] = mock.calls
    assert call.request.params["user.fields"] == (
        "created_at,description,location,protected,public_metrics,url,entities,verified"
    )
    sec = snap.security
    assert snap.post_count == 812
    assert sec.private is False and "not protected" in sec.private_evidence
    assert sec.profile.website == SITE  # the t.co link expanded
    assert sec.profile.bio.endswith("https://ed.example/team")
    assert sec.profile.location == "Brookfield, MA"
    [note] = sec.two_factor_notes
    assert "Security and account access > Security > Two-factor authentication" in note
    assert snap.account.display_name == "Dr Test" and snap.account.role == "professional"


def test_whoami_is_one_lookup():
    with responses.RequestsMock() as mock:
        mock.get(LOOKUP, json=user())
        assert connector().whoami() == "drtest"
        assert len(mock.calls) == 1


@responses.activate
def test_rate_limit_headers_are_waited_out(config, tmp_path, monkeypatch):
    waits = []
    monkeypatch.setattr("auditor.live.http.time.sleep", waits.append)
    monkeypatch.setattr("auditor.live.http.time.time", lambda: NOW)
    responses.get(LOOKUP, json=user(), headers={"x-rate-limit-remaining": "299"})
    pages(
        SPECS[:2],
        SPECS[2:4],
        SPECS[4:],
        headers={
            0: {"x-rate-limit-remaining": "0", "x-rate-limit-reset": str(int(NOW) + 30)},
            1: {"X-Rate-Limit-Remaining": "0", "X-RATE-LIMIT-RESET": str(int(NOW) + 45)},
        },
    )
    code, doc = audit(config, tmp_path)
    assert code == 0, errors(doc)
    assert waits == [30.0, 45.0]
    assert doc["accounts"][0]["posts_scanned"] == 5


@responses.activate
def test_a_429_without_headers_backs_off_whatever_its_body(config, tmp_path, monkeypatch):
    waits = []
    monkeypatch.setattr("auditor.live.http.time.sleep", waits.append)
    # the clock moves on by each wait: a constant one would see the reset still ahead after
    # the client waited for it, and wait again
    monkeypatch.setattr("auditor.live.http.time.time", lambda: NOW + sum(waits))
    problem = {"title": "Too Many Requests", "detail": "Too Many Requests",
               "type": "about:blank", "status": 429}  # fmt: skip
    responses.get(LOOKUP, status=429, json=problem)
    responses.get(LOOKUP, json=user())
    # the v1.1 body the docs show, with the reset the client waits for
    responses.get(
        TWEETS,
        status=429,
        json={"errors": [{"code": 88, "message": "Rate limit exceeded"}]},
        headers={"x-rate-limit-remaining": "0", "x-rate-limit-reset": str(int(NOW) + 21)},
    )
    responses.get(TWEETS, json=answer(SPECS))
    code, doc = audit(config, tmp_path)
    assert code == 0, errors(doc)
    assert waits == [1.0, 20.0]  # the backoff, then to the reset 21 s after the start
    assert doc["accounts"][0]["posts_scanned"] == 5


@responses.activate
def test_a_server_error_then_success(config, tmp_path, monkeypatch):
    waits = []
    monkeypatch.setattr("auditor.live.http.time.sleep", waits.append)
    responses.get(LOOKUP, json=user())
    responses.get(TWEETS, status=500)
    responses.get(TWEETS, status=503)
    responses.get(TWEETS, json=answer(SPECS))
    code, doc = audit(config, tmp_path)
    assert code == 0, errors(doc)
    assert waits == [1.0, 2.0] and doc["accounts"][0]["posts_scanned"] == 5


@responses.activate
def test_a_refused_token_names_the_login_command_and_is_never_shown(config, tmp_path):
    responses.get(LOOKUP, status=401, json={"title": "Unauthorized", "type": "about:blank",
                                            "status": 401, "detail": "Unauthorized"})  # fmt: skip
    code, doc = audit(config, tmp_path)
    assert code == 3
    [err] = errors(doc)
    assert err["file"] == "x:drtest"
    assert "auditor login x" in err["message"] and "HTTP 401" in err["message"]
    assert TOKEN not in json.dumps(doc)
    [call] = responses.calls
    assert call.request.headers["Authorization"] == f"Bearer {TOKEN}"
    assert TOKEN not in call.request.url


@responses.activate
def test_an_answer_that_is_not_json_is_one_error(config, tmp_path):
    responses.get(LOOKUP, json=user())
    responses.get(TWEETS, body="<html>upstream error</html>")
    code, doc = audit(config, tmp_path)
    assert code == 3
    [err] = errors(doc)
    assert err["file"] == "x:drtest" and "not JSON" in err["message"]


@responses.activate
def test_an_empty_account(config, tmp_path):
    responses.get(LOOKUP, json=user(tweet_count=0))
    responses.get(TWEETS, json={"meta": {"result_count": 0}})
    code, doc = audit(config, tmp_path)
    assert code == 0, errors(doc)
    assert doc["accounts"][0]["posts_scanned"] == 0 and errors(doc) == []


@responses.activate
@pytest.mark.parametrize(
    ("error", "words"),
    [
        (
            {"resource_type": "user", "resource_id": "42", "parameter": "id", "value": "42",
             "title": "Authorization Error",
             "detail": "Sorry, you are not authorized to see the user with id: [42].",
             "type": "https://api.twitter.com/2/problems/not-authorized-for-resource"},
            ["@drtest is a protected account", "OAuth 2 user token", "auditor login x"],
        ),
        (
            {"title": "UsageCapExceeded", "detail": "Usage cap exceeded: Monthly product cap",
             "type": "https://api.twitter.com/2/problems/usage-capped", "period": "Monthly",
             "scope": "Product"},
            ["usage cap is reached (Monthly Product)", "credits", "spending limit",
             "console.x.com"],
        ),
        (
            {"code": 88, "message": "Rate limit exceeded"},
            ["rate limit is reached", "run the audit again later"],
        ),
    ],
)  # fmt: skip
def test_errors_in_a_200_answer_are_one_line_saying_what_to_do(config, tmp_path, error, words):
    responses.get(LOOKUP, json=user(protected=True))
    responses.get(TWEETS, json={"errors": [error]})
    code, doc = audit(config, tmp_path)
    assert code == 3
    [err] = errors(doc)
    assert err["file"] == "x:drtest"
    for w in words:
        assert w in err["message"]
    assert doc["accounts"][0]["private"] is True


@responses.activate
def test_a_handle_x_does_not_know(config, tmp_path):
    responses.get(
        LOOKUP,
        json={"errors": [{"value": "drtest", "detail": "Could not find user with username: "
                          "[drtest].", "title": "Not Found Error", "resource_type": "user",
                          "parameter": "username", "resource_id": "drtest",
                          "type": "https://api.twitter.com/2/problems/resource-not-found"}]},
    )  # fmt: skip
    code, doc = audit(config, tmp_path)
    assert code == 3
    [err] = errors(doc)
    assert "Could not find user" in err["message"] and "handle" in err["message"]


@responses.activate
def test_a_huge_account_cut_short_by_the_rate_limit(config, tmp_path, monkeypatch):
    monkeypatch.setattr("auditor.live.http.time.sleep", lambda s: None)
    monkeypatch.setattr("auditor.live.http.time.time", lambda: NOW)
    responses.get(LOOKUP, json=user(tweet_count=48_213))
    # the first page leaves none in the window, reset in 15 minutes: too long to wait
    pages(
        SPECS[:3],
        SPECS[3:],
        headers={0: {"x-rate-limit-remaining": "0", "x-rate-limit-reset": str(int(NOW) + 900)}},
    )
    code, doc = audit(config, tmp_path)
    assert code == 3
    [err] = errors(doc)
    assert "asks to wait 15 min" in err["message"] and "run the audit again" in err["message"]
    assert "3 posts in the cache are audited" in err["message"]
    assert doc["accounts"][0]["posts_scanned"] == 2  # the patient post and a reply: audited
    assert "content.patient-identifiers" in {f["check"] for f in doc["findings"]}
    assert len(responses.calls) == 2  # the lookup and the first page: nothing asked past it


def test_posts_past_the_reach_of_the_api_are_noted():
    with responses.RequestsMock() as mock:
        mock.get(LOOKUP, json=user(tweet_count=48_213))
        mock.get(TWEETS, json=answer(SPECS))
        x = connector()
        x.snapshot()
        assert sum(len(p) for p in x.pages()) == 6
    [note] = x.notes
    assert "48,213 posts" in note and "newest 3,200" in note and "archive export" in note
    assert not x.reached_start  # the cached posts it did not see are old, not deleted
    with responses.RequestsMock() as mock:
        mock.get(LOOKUP, json=user(tweet_count=8))
        mock.get(TWEETS, json=answer(SPECS))
        small = connector()
        small.snapshot()
        list(small.pages())
    [note] = small.notes
    assert "8 posts" in note and "gave 6" in note and not small.reached_start
    with responses.RequestsMock() as mock:
        mock.get(LOOKUP, json=user(tweet_count=6))
        mock.get(TWEETS, json=answer(SPECS))
        whole = connector()
        whole.snapshot()
        list(whole.pages())
    assert whole.notes == [] and whole.reached_start


@responses.activate
def test_the_reach_note_is_in_the_coverage(config, tmp_path):
    responses.get(LOOKUP, json=user(tweet_count=48_213))
    responses.get(TWEETS, json=answer(SPECS))
    code, doc = audit(config, tmp_path)
    [source] = doc["coverage"]["sources"]
    assert code == 0 and source["errors"] == []
    assert any("newest 3,200" in m for m in source["files_missing"])


def test_the_archive_and_the_api_give_the_same_findings(tmp_path, memory_keyring, monkeypatch):
    archive = the_archive(tmp_path / "x.zip")
    scan_config = tmp_path / "scan.toml"
    scan_config.write_text(
        '[[accounts]]\nplatform = "x"\nhandle = "drtest"\nrole = "professional"\n'
    )
    out = tmp_path / "scan.json"
    cli.main(["scan", str(archive), "--config", str(scan_config), "-o", str(out), "-q",
              "--fail-on", "none"])  # fmt: skip
    scanned = json.loads(out.read_text())
    memory_keyring.set_password("x", "token", TOKEN)
    live_config = tmp_path / "live.toml"
    live_config.write_text(scan_config.read_text() + 'source = "api"\ntoken = "keyring:x/token"\n')
    with responses.RequestsMock() as mock:
        mock.get(LOOKUP, json=user())
        mock.get(TWEETS, json=answer(SPECS[:3], "t1"), match=query())
        mock.get(TWEETS, json=answer(SPECS[3:]), match=query("t1"))
        code, live = audit(live_config, tmp_path)
        assert all(c.request.method == "GET" for c in mock.calls)
    assert code == 0, errors(live)
    assert scanned["accounts"][0]["posts_scanned"] == live["accounts"][0]["posts_scanned"] == 5
    by_fp = {f["fingerprint"]: f["check"] for f in scanned["findings"]}
    # post findings and account ones alike (the profile, the unknown second factor)
    assert {
        "content.patient-identifiers",
        "settings.location-on-posts",
        "settings.bio-disclaimer",
        "security.two-factor",
    } <= set(by_fp.values())
    assert {f["fingerprint"]: f["check"] for f in live["findings"]} == by_fp
