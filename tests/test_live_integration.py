"""`auditor audit` as a user runs it, against a Mastodon-shaped API that the test serves on
127.0.0.1: three pages of statuses with a 429 in the middle, reached through the config's
base_url. The statuses are the ones of a real archive (plus a few a clinician might have
written), so the audit of the API must give the same findings as the scan of the archive."""

import json
import threading
import zipfile
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest

from conftest import DATA, run_cli

REAL = DATA / "mastodon" / "export-2023-zip"
PUBLIC = "https://www.w3.org/ns/activitystreams#Public"
ACTOR = json.loads((REAL / "actor.json").read_text())
OWN = ACTOR["id"]
PAGE = 8

# what a clinician might have posted, as the archive writes it: (id, text, to, cc, extra)
WRITTEN = [
    (
        "111000000000000001",
        "Saw a 91-year-old retired fire chief from Brookfield in the ED tonight, bed 4, "
        "admitted 3/14. Tough night.",
        [PUBLIC],
        [f"{OWN}/followers"],
        {},
    ),
    (
        "111000000000000002",
        "For your rash, just take 40mg prednisone for a week, no need to come in",
        [f"{OWN}/followers"],
        [],
        {"summary": "med question"},
    ),
    (
        "111000000000000003",
        "Long run along the river this morning before clinic",
        [],
        [PUBLIC],
        {"inReplyTo": f"{OWN}/statuses/109318097085292765"},
    ),
]


def archive_items():
    outbox = json.loads((REAL / "outbox.json").read_text())
    items = list(outbox["orderedItems"])
    for n, (sid, text, to, cc, extra) in enumerate(WRITTEN):
        when = f"2023-07-{10 + n:02d}T08:00:00Z"
        items.append(
            {
                "id": f"{OWN}/statuses/{sid}/activity",
                "type": "Create",
                "actor": OWN,
                "published": when,
                "to": to,
                "cc": cc,
                "object": {
                    "id": f"{OWN}/statuses/{sid}",
                    "type": "Note",
                    "summary": extra.get("summary"),
                    "inReplyTo": extra.get("inReplyTo"),
                    "published": when,
                    "url": f"https://toot.lmorchard.com/@lmorchard/{sid}",
                    "attributedTo": OWN,
                    "to": to,
                    "cc": cc,
                    "content": f"<p>{text}</p>",
                    "attachment": [],
                    "tag": [],
                },
            }
        )
    return {**outbox, "orderedItems": items, "totalItems": len(items)}


def as_status(item):
    """The archive's activity as the API's status: the same id, words, time, audience."""
    note = item["object"]
    if item["type"] == "Announce":
        sid = item["id"].rstrip("/").split("/")[-2]
        return {"id": sid, "created_at": item["published"], "visibility": "public", "reblog": {}}
    to, cc = item.get("to", []), item.get("cc", [])
    visibility = (
        "public"
        if PUBLIC in to
        else "unlisted"
        if PUBLIC in cc
        else "private"
        if any(a.endswith("/followers") for a in to)
        else "direct"
    )
    reply = note.get("inReplyTo")
    return {
        "id": note["id"].rsplit("/", 1)[-1],
        "created_at": note["published"],
        "visibility": visibility,
        "content": note.get("content") or "",
        "spoiler_text": note.get("summary") or "",
        "url": note.get("url"),
        "uri": note["id"],
        "in_reply_to_id": reply.rsplit("/", 1)[-1] if reply else None,
        "in_reply_to_account_id": "1" if reply and reply.startswith(OWN) else None,
        "reblog": None,
        "media_attachments": note.get("attachment") or [],
        "mentions": [],
    }


def account_answer():
    return {
        "id": "1",
        "username": ACTOR["preferredUsername"],
        "acct": ACTOR["preferredUsername"],
        "url": ACTOR["url"],
        "display_name": ACTOR["name"],
        "locked": ACTOR["manuallyApprovesFollowers"],
        "discoverable": ACTOR["discoverable"],
        "note": ACTOR["summary"],
        "fields": [{"name": f["name"], "value": f["value"]} for f in ACTOR["attachment"]],
    }


class MastodonLike(BaseHTTPRequestHandler):
    statuses: list = []
    methods: list = []
    limited: set = set()

    def log_message(self, *args):
        pass

    def do_POST(self):
        self.methods.append("POST")
        self.send_error(405)

    def do_GET(self):
        self.methods.append("GET")
        url = urlsplit(self.path)
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        if url.path == "/api/v1/accounts/lookup" and query.get("acct") == "lmorchard":
            return self.answer(account_answer())
        if url.path != "/api/v1/accounts/1/statuses":
            return self.send_error(404)
        start = int(query.get("max_id", "0"))
        if start and start not in self.limited:
            # the middle page is refused once: too many requests, come back in a second
            self.limited.add(start)
            self.send_response(429)
            self.send_header("Retry-After", "1")
            self.end_headers()
            return None
        page = self.statuses[start : start + PAGE]
        link = None
        if start + PAGE < len(self.statuses):
            host = self.headers["Host"]
            link = f'<http://{host}/api/v1/accounts/1/statuses?max_id={start + PAGE}>; rel="next"'
        return self.answer(page, link)

    def answer(self, body, link=None):
        raw = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(raw)))
        if link:
            self.send_header("Link", link)
        self.end_headers()
        self.wfile.write(raw)


@pytest.fixture
def server():
    outbox = archive_items()
    statuses = sorted(
        (as_status(i) for i in outbox["orderedItems"] if i["type"] in ("Create", "Announce")),
        key=lambda s: (s["created_at"], s["id"]),
        reverse=True,
    )
    MastodonLike.statuses, MastodonLike.methods, MastodonLike.limited = statuses, [], set()
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), MastodonLike)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd, outbox
    httpd.shutdown()
    httpd.server_close()


def findings(path):
    doc = json.loads(path.read_text())
    return doc, {(f["check"], f["fingerprint"]) for f in doc["findings"]}


def test_audit_through_base_url_pages_waits_and_matches_the_archive(server, tmp_path):
    httpd, outbox = server
    assert 2 * PAGE < len(MastodonLike.statuses) <= 3 * PAGE  # three pages
    export = tmp_path / "archive-20230720.zip"
    with zipfile.ZipFile(export, "w") as z:
        z.writestr("actor.json", json.dumps(ACTOR))
        z.writestr("outbox.json", json.dumps(outbox))
    config = tmp_path / "config.toml"
    config.write_text(
        '[[accounts]]\nplatform = "mastodon"\nhandle = "lmorchard@toot.lmorchard.com"\n'
        f'role = "professional"\nsource = "api"\n'
        f'base_url = "http://127.0.0.1:{httpd.server_address[1]}"\n'
    )
    live, scanned = tmp_path / "live.json", tmp_path / "scan.json"
    audit = run_cli("audit", "--config", config, "-o", live, "--fail-on", "none")
    assert audit.returncode == 0, audit.stderr
    assert "rate limit reached, waiting 1 s" in audit.stderr
    assert f"{len(MastodonLike.statuses)} posts fetched" in audit.stderr
    assert set(MastodonLike.methods) == {"GET"}
    scan = run_cli("scan", export, "--config", config, "-o", scanned, "--fail-on", "none")
    assert scan.returncode == 0, scan.stderr

    live_doc, from_api = findings(live)
    scan_doc, from_archive = findings(scanned)
    [api_account], [archive_account] = live_doc["accounts"], scan_doc["accounts"]
    assert api_account["key"] == archive_account["key"] == "mastodon:lmorchard@toot.lmorchard.com"
    assert api_account["posts_scanned"] == archive_account["posts_scanned"]
    checks = {check for check, _ in from_archive}
    assert {"content.patient-identifiers", "content.medical-advice"} <= checks
    # the same findings, post by post and setting by setting, whichever source was read
    assert from_api == from_archive
