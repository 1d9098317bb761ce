"""Password-manager exports (auditor/credentials/vault.py) as each manager writes them, and the
password checks: reuse, guessable passwords, 2FA offered but not found; no password ever
appears in a report, a log line or an error."""

import json

import pytest

from auditor.credentials import vault

from conftest import EXAMPLE, ROOT, run_cli

REUSED = "Lakeview1982!"
WEAK = "summer2024"
STRONG = "c7#Vq9!zLp2@Rw8xT4"

FILES = {
    "bitwarden.csv": (
        "folder,favorite,type,name,notes,fields,reprompt,login_uri,login_username,login_password,login_totp\n"
        f",,login,Twitter,,,0,https://twitter.com/login,DrMayaOkafor,{REUSED},\n"
        f",1,login,GitHub,,,0,https://github.com,maya,{REUSED},\n"
        f",,login,Reddit,,,0,https://www.reddit.com,maya,{WEAK},\n",
        "bitwarden-csv",
    ),
    "1password.csv": (
        "Title,Url,Username,Password,OTPAuth,Favorite,Archived,Tags,Notes\n"
        f"Twitter,https://twitter.com,DrMayaOkafor,{REUSED},,false,false,,\n"
        f"GitHub,https://github.com,maya,{REUSED},,false,false,,\n"
        f"Reddit,https://reddit.com,maya,{WEAK},,false,false,,\n",
        "1password",
    ),
    "chrome.csv": (
        "name,url,username,password,note\n"
        f"twitter.com,https://twitter.com/,DrMayaOkafor,{REUSED},\n"
        f"github.com,https://github.com/session,maya,{REUSED},\n"
        f"reddit.com,https://www.reddit.com/login/,maya,{WEAK},\n",
        "chrome",
    ),
    "firefox.csv": (
        '"url","username","password","httpRealm","formActionOrigin","guid","timeCreated","timeLastUsed","timePasswordChanged"\n'
        f'"https://twitter.com","DrMayaOkafor","{REUSED}",,"https://twitter.com","{{a}}","1600000000000","1700000000000","1650000000000"\n'
        f'"https://github.com","maya","{REUSED}",,"https://github.com","{{b}}","1600000000000","1700000000000","1650000000000"\n'
        f'"https://www.reddit.com","maya","{WEAK}",,"https://www.reddit.com","{{c}}","1600000000000","1700000000000","1650000000000"\n',
        "firefox",
    ),
    "keepassxc.csv": (
        '"Group","Title","Username","Password","URL","Notes","TOTP","Icon",'
        '"Last Modified","Created"\n'
        f'"Root","Twitter","DrMayaOkafor","{REUSED}","https://twitter.com","","","0","2022-04-15T10:00:00Z","2020-01-01T00:00:00Z"\n'
        f'"Root","GitHub","maya","{REUSED}","https://github.com","","","0","2022-04-15T10:00:00Z","2020-01-01T00:00:00Z"\n'
        f'"Root","Reddit","maya","{WEAK}","https://www.reddit.com","","","0","2022-04-15T10:00:00Z","2020-01-01T00:00:00Z"\n',
        "keepassxc",
    ),
    "keepass.csv": (
        '"Account","Login Name","Password","Web Site","Comments"\n'
        f'"Twitter","DrMayaOkafor","{REUSED}","https://twitter.com",""\n'
        f'"GitHub","maya","{REUSED}","https://github.com",""\n'
        f'"Reddit","maya","{WEAK}","https://reddit.com",""\n',
        "keepass",
    ),
}


def bitwarden_json(encrypted=False):
    if encrypted:
        return {"encrypted": True, "passwordProtected": True, "salt": "x", "data": "2.AAAA"}
    item = {
        "id": "1",
        "type": 1,
        "name": "Twitter",
        "revisionDate": "2023-05-01T12:00:00.000Z",
        "passwordHistory": [{"lastUsedDate": "2022-02-01T00:00:00.000Z", "password": "old-one"}],
        "login": {
            "uris": [{"match": None, "uri": "https://twitter.com"}],
            "username": "DrMayaOkafor",
            "password": REUSED,
            "totp": "otpauth://totp/X:DrMayaOkafor?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ",
        },
    }
    note = {"id": "2", "type": 2, "name": "A note", "secureNote": {"type": 0}}
    return {"encrypted": False, "folders": [], "items": [item, note]}


@pytest.mark.parametrize("name", sorted(FILES))
def test_each_manager_csv(tmp_path, name):
    body, fmt = FILES[name]
    path = tmp_path / name
    path.write_text(body)
    got = vault.read(path)
    assert got.error is None and got.format == fmt
    assert [x.domain for x in got.logins] == ["twitter.com", "github.com", "reddit.com"]
    assert vault.platform_of(got.logins[0]) == "x" and vault.platform_of(got.logins[1]) is None
    assert REUSED not in repr(got)


def test_bitwarden_json(tmp_path):
    path = tmp_path / "bitwarden.json"
    path.write_text(json.dumps(bitwarden_json()))
    got = vault.read(path)
    [login] = got.logins
    assert got.format == "bitwarden" and login.totp and login.changed.year == 2022
    enc = tmp_path / "enc.json"
    enc.write_text(json.dumps(bitwarden_json(encrypted=True)))
    err = vault.read(enc).error
    assert "without encryption" in err and "delete it" in err and str(enc) in err


def test_bad_files(tmp_path):
    for body, words in [
        ("a,b\n1,2\n", "no password column"),
        ("{", "not valid JSON"),
        ("", "empty"),
    ]:
        (tmp_path / "v.csv").write_text(body)
        assert words in vault.read(tmp_path / "v.csv").error
    (tmp_path / "b.bin").write_bytes(b"\xff\xfe\x00binary")
    assert "not text" in vault.read(tmp_path / "b.bin").error


def test_scan_with_passwords_finds_reuse_weakness_and_missing_2fa(tmp_path):
    path = tmp_path / "chrome.csv"
    path.write_text(FILES["chrome.csv"][0])
    out = tmp_path / "r.json"
    proc = run_cli(
        "scan",
        EXAMPLE,
        "--passwords",
        path,
        "--all-logins",
        "-o",
        out,
        "--fail-on",
        "none",
        "-q",
        "--offline",
    )
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(out.read_text())
    got = {
        (f["check"], f["account"]) for f in doc["findings"] if f["check"].startswith("security.")
    }
    assert ("security.password-reused", "x:DrMayaOkafor") in got
    assert ("security.password-reused", "vault:github.com") in got
    assert ("security.password-weak", "vault:reddit.com") in got
    assert ("security.two-factor-available", "vault:github.com") in got
    [cred] = doc["coverage"]["credentials"]
    assert (cred["kind"], cred["format"], cred["entries"], cred["platforms"]) == (
        "passwords",
        "chrome",
        3,
        ["x"],
    )
    # without --all-logins only the audited platforms' logins are judged
    proc = run_cli(
        "scan", EXAMPLE, "--passwords", path, "-o", out, "--fail-on", "none", "-q", "--offline"
    )
    accounts = {f["account"] for f in json.loads(out.read_text())["findings"]}
    assert not any(a.startswith("vault:") for a in accounts)


def test_a_totp_field_is_two_factor_evidence(tmp_path):
    path = tmp_path / "bitwarden.json"
    path.write_text(json.dumps(bitwarden_json()))
    out = tmp_path / "r.json"
    run_cli("scan", EXAMPLE, "--passwords", path, "-o", out, "--fail-on", "none", "-q", "--offline")
    doc = json.loads(out.read_text())
    [x] = [a for a in doc["accounts"] if a["key"] == "x:DrMayaOkafor"]
    assert x["two_factor"]["status"] == "enabled" and "totp" in x["two_factor"]["methods"]


def test_no_password_in_any_report_log_or_error(tmp_path):
    paths = []
    for name, (body, _) in FILES.items():
        (tmp_path / name).write_text(body)
        paths += ["--passwords", tmp_path / name]
    (tmp_path / "bw.json").write_text(json.dumps(bitwarden_json()))
    paths += ["--passwords", tmp_path / "bw.json", "--all-logins", "--offline"]
    for fmt in ("json", "text", "markdown", "csv"):
        proc = run_cli(
            "scan", EXAMPLE, *paths, "-f", fmt, "--show-text", "--debug", "--fail-on", "none"
        )
        assert proc.returncode == 0, proc.stderr
        for secret in (REUSED, WEAK, "GEZDGNBVGY3TQOJQ", "old-one"):
            assert secret not in proc.stdout and secret not in proc.stderr, (fmt, secret)


def test_coverage_says_which_checks_had_nothing_to_judge(tmp_path):
    out = tmp_path / "r.json"
    run_cli("scan", EXAMPLE, "-o", out, "--fail-on", "none", "-q")
    [x] = json.loads(out.read_text())["accounts"]
    lacking = {c["check"] for c in x["checks_lacking_evidence"]}
    assert "security.password-reused" in lacking and "security.two-factor-strength" not in lacking
    assert x["security_evidence"]["password_login"] is False
    path = tmp_path / "chrome.csv"
    path.write_text(FILES["chrome.csv"][0])
    run_cli("scan", EXAMPLE, "--passwords", path, "--offline", "-o", out, "--fail-on", "none", "-q")
    [x] = json.loads(out.read_text())["accounts"]
    assert x["security_evidence"]["password_login"] is True
    assert not {c["check"] for c in x["checks_lacking_evidence"]} & {"security.password-weak"}
    text = run_cli("scan", EXAMPLE, "--fail-on", "none", "-q").stdout
    assert "nothing to judge for: " in text and "security.password-reused" in text


def test_zxcvbn_judges_a_long_password_by_its_start_only_when_the_start_is_strong():
    from auditor.checks.security.password_weak import PREFIX, estimate

    long_weak = ["summer2019summer2019!", "passwordpassword1234", "qwertyuiopasdfghjkl"]
    strong = "Xk9#mQ2$pL7&vB4t"  # its first 12 characters alone score 4
    got = estimate({*long_weak, strong, "monkey123"})
    assert all(len(pw) > PREFIX and got[pw]["score"] < 3 for pw in long_weak)
    assert got[strong]["score"] == 4
    assert got["monkey123"]["score"] < 3  # short: judged whole


def test_the_readme_security_example(tmp_path):
    """The README's account-security command on the bundled example files."""
    examples = ROOT / "examples"
    out = tmp_path / "r.json"
    proc = run_cli(
        "scan",
        examples / "dr-maya-okafor-twitter-archive.zip",
        "--config",
        ROOT / "config.example.toml",
        "--authenticator",
        examples / "aegis-export.json",
        "--passwords",
        examples / "bitwarden-export.csv",
        "--all-logins",
        "--offline",
        "-o",
        out,
        "--fail-on",
        "none",
    )
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(out.read_text())
    got = {(f["check"], f["account"]) for f in doc["findings"]}
    for expected in [
        ("security.password-reused", "x:DrMayaOkafor"),
        ("security.password-weak", "vault:linkedin.com"),
        ("security.two-factor-strength", "x:DrMayaOkafor"),
        ("security.authorized-apps", "x:DrMayaOkafor"),
        ("security.two-factor-available", "vault:github.com"),
    ]:
        assert expected in got
    [x] = doc["accounts"]
    assert x["two_factor"]["status"] == "enabled"  # the Aegis entry, beside the archive's SMS
    secrets_in_files = (examples / "bitwarden-export.csv").read_text().split(",")
    assert "Brookfield2019!" in secrets_in_files
    assert "Brookfield2019!" not in out.read_text() + proc.stderr
