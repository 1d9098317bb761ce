"""`auditor audit` with a Bluesky account read live (HTTP mocked with responses): the public
AppView paged to the end with reposts and pins, rate limits with a faked clock, faults as one
line naming `auditor login bluesky`, an app password's session (the one POST) showing e-mail
two-factor and the app passwords, and the same posts and fingerprints as the repository."""

import json

import pytest
import responses
from live_helpers import audit, errors
from responses.matchers import query_param_matcher
from test_bluesky import ME, RECORDS, repo

from auditor import cli
from auditor.config import AccountConfig
from auditor.engine import open_source
from auditor.live.bluesky import BlueskyConnector
from auditor.live.http import ApiClient
from auditor.plugins import discover
from auditor.sources.bluesky import TID_ALPHABET

APPVIEW = "https://public.api.bsky.app/xrpc"
ENTRYWAY = "https://bsky.social/xrpc"
HANDLE = "drjlee.bsky.social"
DID = "did:plc:drjlee00000000000000000"
OTHER = "did:plc:colleague000000000000000"
PROFILE = "app.bsky.actor.getProfile"
FEED = "app.bsky.feed.getAuthorFeed"
SESSION = "com.atproto.server.createSession"
APP_PASSWORDS = "com.atproto.server.listAppPasswords"
PATIENT = "Saw a 91-year-old retired fire chief from Brookfield in the ED tonight, bed 4"
SECRET = "abcd-efgh-ijkl-mnop"
ACCESS = "eyJhbGciOiJIUzI1NiJ9.acc3ss-JWT"
NOW = 1_772_500_000.0


def tid(n):
    """The record key Bluesky would give the n-th post: a TID, a minute apart."""
    value = (1_767_225_600_000_000 + n * 60_000_000) << 10
    return "".join(TID_ALPHABET[(value >> (5 * i)) & 31] for i in range(12, -1, -1))


def profile(**extra):
    return {
        "did": DID,
        "handle": HANDLE,
        "displayName": "Dr. J. Lee",
        "description": "Runner and baker.",
        "postsCount": 4,
        "associated": {"chat": {"allowIncoming": "all"}},
        "labels": [],
        **extra,
    }


def view(rkey, text, did=DID, when=None, **record):
    when = when or f"2026-02-{int(rkey[-4:], 32) % 27 + 1:02d}T18:04:11.120Z"
    return {
        "uri": f"at://{did}/app.bsky.feed.post/{rkey}",
        "cid": "bafyreib2example",
        "author": {"did": did, "handle": HANDLE if did == DID else "colleague.example"},
        "record": {"$type": "app.bsky.feed.post", "text": text, "createdAt": when, **record},
        "indexedAt": when,
        "likeCount": 3,
    }


def item(rkey, text, **record):
    return {"post": view(rkey, text, **record)}


def repost(rkey, subject, when="2026-02-20T09:12:44.000Z"):
    return {
        "post": subject,
        "reason": {
            "$type": "app.bsky.feed.defs#reasonRepost",
            "by": {"did": DID, "handle": HANDLE},
            "uri": f"at://{DID}/app.bsky.feed.repost/{rkey}",
            "indexedAt": when,
        },
    }


def pin(entry):
    return {**entry, "reason": {"$type": "app.bsky.feed.defs#reasonPin"}}


def query(cursor=None, actor=DID):
    return {
        "actor": actor,
        "limit": "100",
        "filter": "posts_with_replies",
        **({"cursor": cursor} if cursor else {}),
    }


def feed(*batches, host=APPVIEW, headers=None):
    """The author feed, a page a batch, each pinned to its cursor; the last gives none."""
    for n, batch in enumerate(batches):
        body = {"feed": batch}
        if n + 1 < len(batches):
            body["cursor"] = f"c{n + 1}"
        responses.get(
            f"{host}/{FEED}",
            json=body,
            headers=headers if n == 0 else None,
            match=[query_param_matcher(query(f"c{n}" if n else None))],
        )


def write_config(tmp_path, *lines, handle=HANDLE):
    path = tmp_path / "config.toml"
    path.write_text(
        f'[[accounts]]\nplatform = "bluesky"\nhandle = "{handle}"\nrole = "personal"\n'
        + "".join(f"{line}\n" for line in lines)
    )
    return path


@pytest.fixture
def config(tmp_path):
    return write_config(tmp_path, 'source = "api"')


@pytest.fixture
def with_password(tmp_path, memory_keyring):
    memory_keyring.set_password("bluesky", HANDLE, SECRET)
    return write_config(tmp_path, 'source = "api"', f'token = "keyring:bluesky/{HANDLE}"')


def session(**extra):
    return {
        "did": DID,
        "handle": HANDLE,
        "email": "j.lee@clinic.example",
        "emailConfirmed": True,
        "emailAuthFactor": False,
        "active": True,
        "accessJwt": ACCESS,
        "refreshJwt": "eyJ.r3fresh-JWT",
        **extra,
    }


@responses.activate
def test_paging_to_the_end_with_reposts_and_a_pin(config, tmp_path):
    responses.get(
        f"{APPVIEW}/{PROFILE}", json=profile(), match=[query_param_matcher({"actor": HANDLE})]
    )
    pinned = item(tid(1), "Bread day")
    feed(
        # the pinned post comes first and again in its place by time: one post
        [pin(pinned), item(tid(5), PATIENT), repost(tid(4), view("3k999", "Flu shots", OTHER))],
        [
            item(
                tid(3),
                "Agreed!",
                reply={
                    "root": {"uri": f"at://{OTHER}/app.bsky.feed.post/3k999"},
                    "parent": {"uri": f"at://{OTHER}/app.bsky.feed.post/3k999"},
                },
            ),
            item(
                tid(2),
                "Look at this",
                embed={
                    "$type": "app.bsky.embed.images",
                    "images": [
                        {"alt": "Chest x-ray of Mr K. in bed 4", "image": {"$type": "blob"}}
                    ],
                },
            ),
        ],
        [pinned],
    )
    code, doc = audit(config, tmp_path)
    assert code == 0 and errors(doc) == []
    [acct] = doc["accounts"]
    # the DID, as the repository names the account
    assert acct["key"] == f"bluesky:{DID}" and acct["posts_scanned"] == 4
    [source] = doc["coverage"]["sources"]
    assert (source["posts_read"], source["reposts_skipped"]) == (5, 1)
    flagged = {f["post"]["id"] for f in doc["findings"] if f["check"].startswith("content.")}
    assert {tid(5), tid(2)} <= flagged  # the bed 4 of the x-ray was only in its alt text
    checks = {f["check"] for f in doc["findings"]}
    # a personal account shown to logged-out visitors; 2FA unknown without a session
    assert {"settings.discoverable-personal-account", "security.two-factor"} <= checks
    assert len([c for c in responses.calls if FEED in c.request.url]) == 3
    assert all(c.request.method == "GET" for c in responses.calls)
    assert all("Authorization" not in c.request.headers for c in responses.calls)


@responses.activate
def test_rate_limit_waits_for_the_epoch_reset_and_the_retry_after(config, tmp_path, monkeypatch):
    waits = []
    monkeypatch.setattr("auditor.live.http.time.sleep", waits.append)
    monkeypatch.setattr("auditor.live.http.time.time", lambda: NOW)
    responses.get(
        f"{APPVIEW}/{PROFILE}",
        json=profile(),
        headers={"RateLimit-Remaining": "0", "RateLimit-Reset": str(int(NOW) + 30)},
    )
    responses.get(
        f"{APPVIEW}/{FEED}",
        status=429,
        json={"error": "RateLimitExceeded", "message": "Rate Limit Exceeded"},
        headers={"Retry-After": "7"},
    )
    responses.get(f"{APPVIEW}/{FEED}", json={"feed": [item(tid(5), PATIENT)]})
    code, doc = audit(config, tmp_path)
    assert code == 0 and errors(doc) == [] and doc["accounts"][0]["posts_scanned"] == 1
    assert waits == [30.0, 7.0]  # none left in the window: its reset; then the 429's hint


@responses.activate
def test_a_429_without_any_header_backs_off_then_succeeds(config, tmp_path, monkeypatch):
    waits = []
    monkeypatch.setattr("auditor.live.http.time.sleep", waits.append)
    responses.get(f"{APPVIEW}/{PROFILE}", json=profile())
    responses.get(f"{APPVIEW}/{FEED}", status=429)
    responses.get(f"{APPVIEW}/{FEED}", json={"feed": [item(tid(5), PATIENT)]})
    code, doc = audit(config, tmp_path)
    assert code == 0 and doc["accounts"][0]["posts_scanned"] == 1
    assert waits == [1.0]


@responses.activate
def test_a_server_error_then_success(config, tmp_path, monkeypatch):
    waits = []
    monkeypatch.setattr("auditor.live.http.time.sleep", waits.append)
    responses.get(f"{APPVIEW}/{PROFILE}", status=500)
    responses.get(f"{APPVIEW}/{PROFILE}", json=profile())
    responses.get(f"{APPVIEW}/{FEED}", status=502)
    responses.get(f"{APPVIEW}/{FEED}", json={"feed": [item(tid(5), "Long run today")]})
    code, doc = audit(config, tmp_path)
    assert code == 0 and errors(doc) == [] and doc["accounts"][0]["posts_scanned"] == 1
    assert waits == [1.0, 1.0]


@pytest.mark.parametrize(
    "refusal",
    [
        (SESSION, 401, "AuthenticationRequired", "Invalid identifier or password"),
        (SESSION, 400, "AuthenticationRequired", "Invalid identifier or password"),
        (PROFILE, 400, "InvalidToken", "Bad token scope"),
    ],
)
@responses.activate
def test_a_refused_app_password_names_the_login_command(with_password, tmp_path, refusal):
    where, status, name, message = refusal
    body = {"error": name, "message": message}
    if where == SESSION:
        responses.post(f"{ENTRYWAY}/{SESSION}", status=status, json=body)
    else:
        responses.post(f"{ENTRYWAY}/{SESSION}", json=session())
        responses.get(f"{ENTRYWAY}/{PROFILE}", status=status, json=body)
    code, doc = audit(with_password, tmp_path)
    assert code == 3
    [err] = errors(doc)
    assert err["file"] == f"bluesky:{HANDLE}"
    assert f"auditor login bluesky --account bluesky:{HANDLE}" in err["message"]
    assert f"{name}: {message}" in err["message"]
    report = json.dumps(doc)
    assert SECRET not in report and ACCESS not in report
    assert json.loads(responses.calls[0].request.body)["password"] == SECRET


@responses.activate
def test_the_main_password_with_email_two_factor_is_refused_with_the_fix(with_password, tmp_path):
    responses.post(
        f"{ENTRYWAY}/{SESSION}",
        status=401,
        json={"error": "AuthFactorTokenRequired", "message": "A sign in code has been sent"},
    )
    code, doc = audit(with_password, tmp_path)
    [err] = errors(doc)
    assert (
        code == 3
        and "main password" in err["message"]
        and "create an app password" in (err["message"])
    )
    assert "auditor login bluesky" in err["message"] and SECRET not in json.dumps(doc)


@responses.activate
def test_an_unknown_handle_says_check_the_handle(config, tmp_path):
    responses.get(
        f"{APPVIEW}/{PROFILE}",
        status=400,
        json={"error": "InvalidRequest", "message": "Profile not found"},
    )
    code, doc = audit(config, tmp_path)
    [err] = errors(doc)
    assert code == 3 and doc["accounts"] == []
    assert f"has no account {HANDLE}" in err["message"] and "check the handle" in err["message"]


@responses.activate
def test_an_html_page_instead_of_json_is_one_line(config, tmp_path):
    responses.get(f"{APPVIEW}/{PROFILE}", json=profile())
    responses.get(
        f"{APPVIEW}/{FEED}", body="<html>502 Bad Gateway</html>", content_type="text/html"
    )
    code, doc = audit(config, tmp_path)
    assert code == 3
    [err] = errors(doc)
    assert err["file"] == f"bluesky:{HANDLE}" and "not JSON" in err["message"]


@responses.activate
def test_an_empty_account_is_audited_with_no_posts(config, tmp_path):
    responses.get(f"{APPVIEW}/{PROFILE}", json=profile(postsCount=0))
    responses.get(f"{APPVIEW}/{FEED}", json={"feed": [], "cursor": "c1"})
    code, doc = audit(config, tmp_path)
    assert code == 0 and errors(doc) == []
    assert doc["accounts"][0]["posts_scanned"] == 0
    assert not [f for f in doc["findings"] if f["check"].startswith("content.")]
    assert len(responses.calls) == 2  # an empty page ends the walk, whatever its cursor


@responses.activate
def test_a_repeated_cursor_ends_the_walk(config, tmp_path):
    responses.get(f"{APPVIEW}/{PROFILE}", json=profile())
    responses.get(f"{APPVIEW}/{FEED}", json={"feed": [item(tid(5), "One")], "cursor": "c1"})
    responses.get(f"{APPVIEW}/{FEED}", json={"feed": [item(tid(4), "Two")], "cursor": "c1"})
    code, doc = audit(config, tmp_path)
    assert code == 0 and doc["accounts"][0]["posts_scanned"] == 2
    assert len([c for c in responses.calls if FEED in c.request.url]) == 2


@responses.activate
def test_a_huge_account_cut_short_by_the_rate_limit_keeps_what_was_fetched(
    config, tmp_path, monkeypatch
):
    waits = []
    monkeypatch.setattr("auditor.live.http.time.sleep", waits.append)
    monkeypatch.setattr("auditor.live.http.time.time", lambda: NOW)
    responses.get(f"{APPVIEW}/{PROFILE}", json=profile(postsCount=250_000))
    page = [item(tid(n), PATIENT if n == 350 else f"Post {n}") for n in range(400, 300, -1)]
    responses.get(
        f"{APPVIEW}/{FEED}",
        json={"feed": page, "cursor": "c1"},
        headers={"RateLimit-Remaining": "0", "RateLimit-Reset": str(int(NOW) + 3600)},
    )
    code, doc = audit(config, tmp_path)
    assert code == 3 and waits == []
    [err] = errors(doc)
    assert "asks to wait 60 min" in err["message"]
    assert "100 posts in the cache are audited" in err["message"]
    assert doc["accounts"][0]["posts_scanned"] == 100  # what was fetched is audited
    assert tid(350) in {f["post"]["id"] for f in doc["findings"] if f["post"]}
    assert len([c for c in responses.calls if FEED in c.request.url]) == 1


def session_answers(two_factor, host=ENTRYWAY, **extra):
    answer = session(**extra)
    if two_factor is None:
        del answer["emailAuthFactor"]
    else:
        answer["emailAuthFactor"] = two_factor
    responses.post(f"{host}/{SESSION}", json=answer)
    responses.get(f"{host}/{PROFILE}", json=profile(), match=[query_param_matcher({"actor": DID})])
    responses.get(
        f"{host}/{APP_PASSWORDS}",
        json={
            "passwords": [
                {"name": "footprint-auditor", "createdAt": "2026-01-05T10:00:00.000Z"},
                {"name": "old client", "createdAt": "2024-01-05T10:00:00Z", "privileged": True},
            ]
        },
    )
    feed([item(tid(5), PATIENT)], host=host)


@pytest.mark.parametrize("two_factor", [False, True])
@responses.activate
def test_an_app_password_opens_a_session_showing_two_factor_and_app_passwords(
    with_password, tmp_path, two_factor
):
    session_answers(two_factor)
    code, doc = audit(with_password, tmp_path)
    assert code == 0 and errors(doc) == []
    login, *reads = responses.calls
    assert login.request.method == "POST" and login.request.url == f"{ENTRYWAY}/{SESSION}"
    assert json.loads(login.request.body) == {"identifier": HANDLE, "password": SECRET}
    assert "Authorization" not in login.request.headers
    # everything else a GET on the session host, with the session's token
    assert reads and all(c.request.method == "GET" for c in reads)
    assert all(c.request.url.startswith(ENTRYWAY) for c in reads)
    assert all(c.request.headers["Authorization"] == f"Bearer {ACCESS}" for c in reads)
    by_check = {f["check"]: f for f in doc["findings"]}
    if two_factor:
        assert "security.two-factor" not in by_check
    else:
        assert "turned off" in by_check["security.two-factor"]["title"]
    apps = by_check["security.authorized-apps"]
    labels = " | ".join(e["label"] for e in apps["evidence"])
    assert "'footprint-auditor'" in labels and "'old client'" in labels
    assert "direct messages" in labels  # the privileged one
    assert doc["accounts"][0]["posts_scanned"] == 1
    report = json.dumps(doc)
    assert SECRET not in report and ACCESS not in report


@responses.activate
def test_a_self_hosted_pds_that_does_not_say_leaves_two_factor_unknown(tmp_path, memory_keyring):
    memory_keyring.set_password("bluesky", HANDLE, SECRET)
    path = write_config(
        tmp_path,
        'source = "api"',
        'base_url = "https://pds.example"',
        f'token = "keyring:bluesky/{HANDLE}"',
    )
    session_answers(None, host="https://pds.example/xrpc")
    code, doc = audit(path, tmp_path)
    assert code == 0 and errors(doc) == []
    assert all(c.request.url.startswith("https://pds.example/") for c in responses.calls)
    [finding] = [f for f in doc["findings"] if f["check"] == "security.two-factor"]
    assert "is unknown" in finding["title"]
    assert any("does not report it" in e["label"] for e in finding["evidence"])


@responses.activate
def test_an_expired_session_stops_the_walk_keeping_the_posts(with_password, tmp_path):
    session_answers(True)
    responses.replace(
        responses.GET,
        f"{ENTRYWAY}/{FEED}",
        json={"feed": [item(tid(5), PATIENT)], "cursor": "c1"},
        match=[query_param_matcher(query())],
    )
    responses.get(
        f"{ENTRYWAY}/{FEED}",
        status=400,
        json={"error": "ExpiredToken", "message": "Token has expired"},
        match=[query_param_matcher(query("c1"))],
    )
    code, doc = audit(with_password, tmp_path)
    assert code == 3
    [err] = errors(doc)
    assert "the session expired (ExpiredToken: Token has expired)" in err["message"]
    assert "1 posts in the cache are audited" in err["message"]
    assert doc["accounts"][0]["posts_scanned"] == 1 and ACCESS not in json.dumps(doc)


@responses.activate
def test_the_second_audit_fetches_only_new_posts_and_a_deletion_is_noticed(config, tmp_path):
    responses.get(f"{APPVIEW}/{PROFILE}", json=profile(postsCount=2))
    feed([item(tid(5), "Long run today"), item(tid(4), "Bread day")])
    assert audit(config, tmp_path)[0] == 0
    responses.reset()
    responses.get(f"{APPVIEW}/{PROFILE}", json=profile(postsCount=3))
    # the page after it is not there to be asked for: the cache holds it
    responses.get(
        f"{APPVIEW}/{FEED}",
        json={"feed": [item(tid(6), PATIENT), item(tid(5), "Long run today")], "cursor": "c1"},
    )
    code, second = audit(config, tmp_path)
    assert code == 0 and errors(second) == [] and len(responses.calls) == 2
    assert second["accounts"][0]["posts_scanned"] == 3
    assert (
        "cache: 1 new posts fetched (incremental)"
        in second["coverage"]["sources"][0]["files_found"]
    )
    assert tid(6) in {f["post"]["id"] for f in second["findings"] if f["post"]}
    responses.reset()
    # the patient post deleted: the platform counts fewer than the cache holds, so the whole
    # history is walked and the deleted post's finding resolves
    responses.get(f"{APPVIEW}/{PROFILE}", json=profile(postsCount=2))
    feed([item(tid(5), "Long run today"), item(tid(4), "Bread day")])
    code, third = audit(config, tmp_path)
    assert code == 0 and third["accounts"][0]["posts_scanned"] == 2
    assert tid(6) not in {f["post"]["id"] for f in third["findings"] if f["post"]}


@responses.activate
def test_whoami_is_one_call():
    cfg = AccountConfig("bluesky", HANDLE, "personal", source="api")
    responses.get(f"{APPVIEW}/{PROFILE}", json=profile(handle="renamed.example"))
    public = BlueskyConnector(cfg, ApiClient("bluesky", "https://public.api.bsky.app", cfg.key))
    assert public.whoami() == "renamed.example" and len(responses.calls) == 1
    responses.post(f"{ENTRYWAY}/{SESSION}", json=session())
    logged = BlueskyConnector(cfg, ApiClient("bluesky", "https://public.api.bsky.app", cfg.key))
    logged.authenticate(SECRET)
    assert logged.whoami() == HANDLE and len(responses.calls) == 2  # the session said it


# --- the repository and the API --------------------------------------------------------------


def as_api(records, did=ME):
    """The AppView's view of the repository test_bluesky builds: each post record under its
    own URI, the repost as a reason over the reposted post, newest first by record key."""
    items = []
    for key, record in sorted(records.items(), key=lambda kv: kv[0].rpartition("/")[2]):
        collection, _, rkey = key.partition("/")
        if collection == "app.bsky.feed.post":
            items.append(
                {"post": {"uri": f"at://{did}/{key}", "author": {"did": did}, "record": record}}
            )
        elif collection == "app.bsky.feed.repost":
            subject = record["subject"]["uri"]
            reason = {
                "$type": "app.bsky.feed.defs#reasonRepost",
                "by": {"did": did},
                "uri": f"at://{did}/{key}",
                "indexedAt": record["createdAt"],
            }
            items.append({"post": {"uri": subject, "record": {"text": "theirs"}}, "reason": reason})
    return list(reversed(items))


def repository_answers(records, did=ME):
    self_labels = records["app.bsky.actor.profile/self"]["labels"]["values"]
    responses.get(
        f"{APPVIEW}/{PROFILE}",
        json={
            "did": did,
            "handle": "drtest.bsky.social",
            "displayName": records["app.bsky.actor.profile/self"]["displayName"],
            "postsCount": 7,
            "associated": {
                "chat": {
                    "allowIncoming": records["chat.bsky.actor.declaration/self"]["allowIncoming"]
                }
            },
            # a moderation service's label beside the account's own: not the user's setting
            "labels": [{"src": did, "val": v["val"]} for v in self_labels]
            + [{"src": "did:plc:labeler", "val": "spam"}],
        },
    )
    responses.get(f"{APPVIEW}/{FEED}", json={"feed": as_api(records, did)})


@responses.activate
def test_the_api_gives_the_repository_importers_posts_field_for_field(tmp_path):
    car = tmp_path / "repo.car"
    car.write_bytes(repo(RECORDS))
    imp = open_source(car, discover(), None)
    from_repo = list(imp.posts)
    ((repo_account, repo_security),) = imp.accounts.values()
    repository_answers(RECORDS)
    cfg = AccountConfig("bluesky", "drtest.bsky.social", "personal", source="api")
    connector = BlueskyConnector(cfg, ApiClient("bluesky", "https://public.api.bsky.app", cfg.key))
    snap = connector.snapshot()
    from_api = [p for page in connector.pages() for p in page]
    assert snap.account.key == repo_account.key == f"bluesky:{ME}"
    assert snap.account.display_name == repo_account.display_name
    # one Post, field for field: ids, texts with alt texts, urls, times, replies, the repost
    assert sorted(from_api, key=lambda p: p.id) == sorted(from_repo, key=lambda p: p.id)
    # the settings the baseline reads; the gate counts need a walk of the repository, and no
    # check reads them
    gates = ("threadgates", "postgates")
    assert {(s.name, s.value) for s in snap.security.settings} == {
        (s.name, s.value) for s in repo_security.settings if s.name not in gates
    }


@responses.activate
def test_the_repository_and_the_api_give_the_same_fingerprints(tmp_path):
    car = tmp_path / "repo.car"
    car.write_bytes(repo(RECORDS))
    repository_answers(RECORDS)
    # a repository names no handle, only the DID: the config names the DID for the scan to
    # find the account's role, the handle for the audit
    plain = write_config(tmp_path, handle=ME)
    out = tmp_path / "scan.json"
    cli.main(["scan", str(car), "--config", str(plain), "-o", str(out), "-q", "--offline"])
    scan = json.loads(out.read_text())
    live = write_config(tmp_path, 'source = "api"', handle="drtest.bsky.social")
    code, api = audit(live, tmp_path, "--offline")
    assert code == 0 and errors(api) == []
    assert api["accounts"][0]["key"] == scan["accounts"][0]["key"] == f"bluesky:{ME}"
    from_scan = {(f["check"], f["fingerprint"]) for f in scan["findings"]}
    from_api = {(f["check"], f["fingerprint"]) for f in api["findings"]}
    checks = {c for c, _ in from_scan}
    assert "security.two-factor" in checks and any(c.startswith("content.") for c in checks)
    assert from_api == from_scan
    counted = ("posts_read", "reposts_skipped")
    [scanned], [fetched] = scan["coverage"]["sources"], api["coverage"]["sources"]
    assert [fetched[k] for k in counted] == [scanned[k] for k in counted] == [6, 1]


@responses.activate
def test_reposts_in_the_cache_do_not_force_a_full_walk(config, tmp_path):
    # postsCount leaves reposts out: the cache's own posts are what it is compared with
    other = view(tid(1), "A colleague's post", did="did:plc:colleague")
    responses.get(f"{APPVIEW}/{PROFILE}", json=profile(postsCount=2))
    feed([item(tid(5), "Long run today"), repost(tid(3), other)], [item(tid(2), "Bread day")])
    assert audit(config, tmp_path)[0] == 0
    responses.reset()
    responses.get(f"{APPVIEW}/{PROFILE}", json=profile(postsCount=3))
    responses.get(
        f"{APPVIEW}/{FEED}",
        json={"feed": [item(tid(6), "New post"), item(tid(5), "Long run today")], "cursor": "c1"},
    )
    code, second = audit(config, tmp_path)
    assert code == 0 and len(responses.calls) == 2  # one page: the rest is in the cache
    assert second["accounts"][0]["posts_scanned"] == 3
