"""Pwned Passwords by k-anonymity (auditor/credentials/pwned.py, auditor/net.py): only the
prefix leaves the machine, padding is asked for and ignored, answers are cached by prefix,
at most four requests run at once, and faults are one line. A scan runs against a look-alike
service on 127.0.0.1 through the config's [endpoints]."""

import hashlib
import http.server
import json
import re
import threading
import time

import pytest
import responses

from auditor import config, engine, net
from auditor.credentials import pwned
from auditor.plugins import discover

from conftest import EXAMPLE, run_cli

BASE = "https://pwned.test"


def sha1(p):
    return hashlib.sha1(p.encode()).hexdigest().upper()


def body(known, padding=3):
    lines = [f"{h[5:]}:{n}" for h, n in known]
    lines += [f"{'0' * 30}{i:05d}:0" for i in range(padding)]
    return "\r\n".join(lines)


@responses.activate
def test_only_the_prefix_is_sent_padding_is_asked_and_ignored(tmp_path):
    pw = "Lakeview1982!"
    h = sha1(pw)
    responses.get(f"{BASE}/range/{h[:5]}", body=body([(h, 42)]))
    client = pwned.PwnedPasswords(BASE, tmp_path)
    assert client.counts([pw]) == {pw: 42}
    [call] = responses.calls
    assert call.request.url == f"{BASE}/range/{h[:5]}"
    assert call.request.headers["Add-Padding"] == "true"
    assert "footprint-auditor" in call.request.headers["User-Agent"]
    assert h[5:] not in call.request.url and pw not in call.request.url


@responses.activate
def test_a_padded_suffix_is_not_a_breach(tmp_path):
    pw = "not-in-any-breach"
    h = sha1(pw)
    responses.get(f"{BASE}/range/{h[:5]}", body=body([(h, 0)]))
    assert pwned.PwnedPasswords(BASE, tmp_path).counts([pw]) == {pw: 0}


@responses.activate
def test_answers_are_cached_by_prefix_owner_only(tmp_path):
    pw = "summer2024"
    h = sha1(pw)
    responses.get(f"{BASE}/range/{h[:5]}", body=body([(h, 7)]))
    pwned.PwnedPasswords(BASE, tmp_path).counts([pw])
    again = pwned.PwnedPasswords(BASE, tmp_path)
    assert again.counts([pw]) == {pw: 7} and again.fetched == []
    assert len(responses.calls) == 1
    [cached] = tmp_path.glob("*.json")
    assert cached.stat().st_mode & 0o077 == 0 and pw not in cached.read_text()


def test_at_most_four_requests_at_once(tmp_path, monkeypatch):
    active, peak, lock = 0, 0, threading.Lock()

    class Resp:
        text = ""

    def fake_get(url, headers=None):
        nonlocal active, peak
        with lock:
            active += 1
            peak = max(peak, active)
        time.sleep(0.02)
        with lock:
            active -= 1
        return Resp()

    monkeypatch.setattr(net, "get", fake_get)
    pwned.PwnedPasswords(BASE, tmp_path).counts([f"pw{i}" for i in range(40)])
    assert peak == pwned.CONCURRENCY


@responses.activate
def test_retries_honour_retry_after_then_give_one_line():
    url = f"{BASE}/range/ABCDE"
    responses.get(url, status=429, headers={"Retry-After": "2"})
    responses.get(url, status=503)
    responses.get(url, body="X:1")
    waits = []
    assert net.get(url, sleep=waits.append).text == "X:1"
    assert waits == [2.0, 2.0]
    responses.replace(responses.GET, url, status=500)
    with pytest.raises(net.ServiceError) as err:
        net.get(url, sleep=lambda s: None)
    assert str(err.value) == "pwned.test: HTTP 500 after 3 tries; run again later"
    responses.replace(responses.GET, url, status=429, headers={"Retry-After": "3600"})
    with pytest.raises(net.ServiceError, match="asks to wait 3600 s"):
        net.get(url, sleep=lambda s: None)


class LookAlike(http.server.BaseHTTPRequestHandler):
    """Pwned Passwords' range API, knowing one password."""

    known = sha1("Lakeview1982!")
    seen: list[str] = []

    def do_GET(self):  # noqa: N802
        if self.path.endswith("/breaches"):  # HIBP's breach list: none of these sites
            data = b"[]"
            self.send_response(200)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
            return
        type(self).seen.append(self.path)
        prefix = self.path.rsplit("/", 1)[-1]
        hits = [(self.known, 9001)] if self.known.startswith(prefix) else []
        data = body(hits).encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


def test_scan_against_a_look_alike_on_localhost(tmp_path):
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), LookAlike)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        cfg = tmp_path / "config.toml"
        local = f"http://127.0.0.1:{server.server_port}"
        cfg.write_text(f'[endpoints]\npwned_passwords = "{local}"\nhibp = "{local}/api/v3"\n')
        vault = tmp_path / "chrome.csv"
        vault.write_text(
            "name,url,username,password\n"
            "twitter.com,https://twitter.com/,DrMayaOkafor,Lakeview1982!\n"
            "github.com,https://github.com/,maya,c7#Vq9!zLp2@Rw8xT4\n"
        )
        out = tmp_path / "r.json"
        env = {"XDG_CACHE_HOME": str(tmp_path / "cache")}
        proc = run_cli(
            "scan",
            EXAMPLE,
            "--config",
            cfg,
            "--passwords",
            vault,
            "--all-logins",
            "-o",
            out,
            "--fail-on",
            "none",
            "-q",
            env_extra=env,
        )
        assert proc.returncode == 0, proc.stderr
    finally:
        server.shutdown()
    doc = json.loads(out.read_text())
    [hit] = [f for f in doc["findings"] if f["check"] == "security.password-breached"]
    assert hit["account"] == "x:DrMayaOkafor" and "9,001 times" in hit["title"]
    assert sorted(p.rsplit("/", 1)[-1] for p in LookAlike.seen) == sorted(
        sha1(p)[:5] for p in ("Lakeview1982!", "c7#Vq9!zLp2@Rw8xT4")
    )
    assert "Lakeview1982!" not in out.read_text() and "Lakeview1982!" not in proc.stderr


def test_offline_skips_it_and_says_so(tmp_path):
    vault = tmp_path / "chrome.csv"
    vault.write_text("name,url,username,password\ntwitter.com,https://twitter.com/,a,b\n")
    out = tmp_path / "r.json"
    proc = run_cli(
        "scan", EXAMPLE, "--passwords", vault, "--offline", "-o", out, "--fail-on", "none", "-q"
    )
    assert proc.returncode == 0
    [cred] = json.loads(out.read_text())["coverage"]["credentials"]
    assert (
        "security.password-breached and security.site-breached not run: --offline"
        in (cred["skipped"])
    )


BREACHES = [
    {
        "Name": "Twitter200M",
        "Domain": "twitter.com",
        "BreachDate": "2022-01-01",
        "DataClasses": ["Email addresses", "Names", "Usernames"],
    },
    {
        "Name": "Adobe",
        "Domain": "adobe.com",
        "BreachDate": "2013-10-04",
        "DataClasses": ["Email addresses", "Password hints", "Passwords"],
    },
]


@responses.activate
def test_site_breached_after_the_password_changed(tmp_path):
    responses.get(f"{BASE}/breaches", json=BREACHES)
    pwned_url = "https://pp.test"
    cfg = tmp_path / "config.toml"
    cfg.write_text(f'[endpoints]\nhibp = "{BASE}"\npwned_passwords = "{pwned_url}"\n')
    responses.get(re.compile(rf"{pwned_url}/range/.*"), body=body([]))
    vault = tmp_path / "firefox.csv"
    vault.write_text(
        '"url","username","password","httpRealm","formActionOrigin","guid","timeCreated",'
        '"timeLastUsed","timePasswordChanged"\n'
        '"https://twitter.com","DrMayaOkafor","pw-one",,,"{a}","1","1","1577836800000"\n'
        '"https://www.adobe.com","maya","pw-two",,,"{b}","1","1","1420070400000"\n'
    )
    result = engine.run(
        [EXAMPLE],
        config.load(cfg),
        discover(),
        vaults=[vault],
        all_logins=True,
    )
    hits = {f.account: f for f in result.findings if f.check == "security.site-breached"}
    # twitter.com: breached 2022, password set 2020; adobe.com: breached 2013, set 2015
    assert set(hits) == {"x:DrMayaOkafor"}
    assert "2022-01-01 (Twitter200M), after the password last changed (2020-01-01)" in (
        hits["x:DrMayaOkafor"].title
    )
    assert hits["x:DrMayaOkafor"].severity.value == "medium"  # no passwords were taken
