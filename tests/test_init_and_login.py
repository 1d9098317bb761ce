"""`auditor init` (a starter config, from flags or answers) and `auditor login` (the credential
checked with one read call as the configured account before it is stored; HTTP mocked)."""

import io
import json
import stat

import pytest
import responses

from auditor import cli, init_config
from auditor import config as config_mod

MASTODON = "https://med.example"
ME = {"id": "42", "username": "drjlee", "url": "https://med.example/@drjlee"}


def test_init_from_flags_writes_a_valid_owner_only_config(tmp_path, capsys):
    path = tmp_path / "cfg" / "config.toml"
    code = cli.main(
        [
            "init",
            "--config",
            str(path),
            "--owner",
            'Dr. "J" Lee',
            "--account",
            "mastodon:drjlee@med.example",
            "--account",
            "x:@DrJLee",
            "role=professional",
            "--account",
            "facebook:j.lee",
            "source=~/Downloads/facebook.zip",
        ]
    )
    assert code == 0
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    config = config_mod.load(path)
    assert config.owner_name == 'Dr. "J" Lee'
    mastodon, x, facebook = config.accounts
    assert (mastodon.live, mastodon.base_url, mastodon.token) == (True, MASTODON, None)
    # X's API needs a token: the config names where `auditor login x` will store it
    assert (x.role, x.token, x.base_url) == (
        "professional",
        "keyring:x/DrJLee",
        "https://api.x.com",
    )
    assert facebook.source.endswith("Downloads/facebook.zip") and not facebook.live
    out = capsys.readouterr().out
    assert f"auditor login x --account x:DrJLee --config {path}" in out
    assert "auditor login mastodon --account mastodon:drjlee@med.example" in out
    assert f"auditor audit --config {path}  (audit" in out


def test_init_keeps_an_existing_config_and_names_bad_flags(tmp_path, capsys):
    path = tmp_path / "config.toml"
    path.write_text("# mine\n")
    assert cli.main(["init", "--config", str(path), "--account", "x:me"]) == 2
    assert path.read_text() == "# mine\n"
    assert "pass --force" in capsys.readouterr().err
    fresh = str(tmp_path / "new.toml")
    assert cli.main(["init", "--config", fresh, "--account", "x:me", "colour=red"]) == 2
    assert "'colour=red': expected one of role=" in capsys.readouterr().err
    # what the config's validation refuses is named by key path and nothing is written
    code = cli.main(["init", "--config", str(path), "--force", "--account", "mastodon:nobody"])
    assert code == 2
    assert "accounts[0].base_url: missing: the Mastodon instance" in capsys.readouterr().err
    assert path.read_text() == "# mine\n" and not list(tmp_path.glob(".*.new"))
    assert cli.main(["init", "--config", str(path), "--force", "--account", "x:me"]) == 0
    assert config_mod.load(path).accounts[0].key == "x:me"


def test_init_asks_when_no_flags_are_given():
    answers = iter(
        ["myspace", "bluesky", "drjlee.bsky.social", "boss", "professional", "", "linkedin"]
        + ["j-lee", "", "~/Downloads/Basic_LinkedInDataExport.zip", ""]
    )
    said = []
    specs = init_config.ask_accounts(lambda q: next(answers), said.append)
    assert [(s.platform, s.handle, s.role, s.source) for s in specs] == [
        ("bluesky", "drjlee.bsky.social", "professional", "api"),
        ("linkedin", "j-lee", "personal", "~/Downloads/Basic_LinkedInDataExport.zip"),
    ]
    assert any("not a platform" in line for line in said)


def config_with(tmp_path, extra=""):
    path = tmp_path / "config.toml"
    path.write_text(
        '[[accounts]]\nplatform = "mastodon"\nhandle = "drjlee@med.example"\n'
        f'role = "personal"\nsource = "api"\n{extra}'
    )
    return path


@responses.activate
def test_login_checks_the_token_then_stores_it(tmp_path, memory_keyring, monkeypatch, capsys):
    path = config_with(tmp_path)
    responses.get(f"{MASTODON}/api/v1/accounts/verify_credentials", json=ME)
    monkeypatch.setattr("sys.stdin", io.StringIO("tok-123\n"))
    assert cli.main(["login", "mastodon", "--config", str(path), "--secret-stdin"]) == 0
    assert memory_keyring.get_password("mastodon", "drjlee@med.example") == "tok-123"
    assert responses.calls[0].request.headers["Authorization"] == "Bearer tok-123"
    err = capsys.readouterr().err
    assert "signed in as drjlee@med.example" in err
    assert 'give the account token = "keyring:mastodon/drjlee@med.example" in' in err
    assert "tok-123" not in err


@responses.activate
def test_login_refuses_a_token_of_another_account_or_a_revoked_one(
    tmp_path, memory_keyring, monkeypatch, capsys
):
    path = config_with(tmp_path, 'token = "keyring:mastodon/work"\n')
    responses.get(
        f"{MASTODON}/api/v1/accounts/verify_credentials", json={**ME, "username": "other"}
    )
    responses.get(f"{MASTODON}/api/v1/accounts/verify_credentials", status=401)
    for _ in range(2):
        monkeypatch.setattr("sys.stdin", io.StringIO("tok-123\n"))
        assert cli.main(["login", "mastodon", "--config", str(path), "--secret-stdin"]) == 2
    err = capsys.readouterr().err
    assert "belongs to other@med.example, not drjlee@med.example" in err
    assert "refused the token (HTTP 401" in err and "check what you copied" in err
    assert memory_keyring.entries == {}  # nothing stored from either


@responses.activate
def test_login_walks_through_the_steps_and_asks_without_echo(
    tmp_path, memory_keyring, monkeypatch, capsys
):
    path = config_with(tmp_path, 'token = "keyring:mastodon/work"\n')
    responses.get(f"{MASTODON}/api/v1/accounts/verify_credentials", json=ME)
    monkeypatch.setattr("sys.stdin.isatty", lambda: True, raising=False)
    asked = []
    monkeypatch.setattr("getpass.getpass", lambda prompt: asked.append(prompt) or "tok-9")
    assert cli.main(["login", "mastodon", "--config", str(path)]) == 0
    out, err = capsys.readouterr()
    assert "https://med.example/settings/applications/new" in out and asked == ["Access token: "]
    assert memory_keyring.get_password("mastodon", "work") == "tok-9"
    assert "next: `auditor audit --account mastodon:drjlee@med.example`" in err


@responses.activate
def test_login_reddit_combines_the_answers_into_one_secret(tmp_path, memory_keyring, monkeypatch):
    path = tmp_path / "config.toml"
    path.write_text(
        '[[accounts]]\nplatform = "reddit"\nhandle = "gp_22"\nrole = "personal"\n'
        'source = "api"\ntoken = "keyring:reddit/gp_22"\n'
    )
    responses.post("https://www.reddit.com/api/v1/access_token", json={"access_token": "AT"})
    responses.get("https://oauth.reddit.com/api/v1/me", json={"name": "gp_22"})
    monkeypatch.setattr("sys.stdin.isatty", lambda: True, raising=False)
    typed = iter(["client-1", ""])  # the username's default is the configured handle
    monkeypatch.setattr("builtins.input", lambda prompt: next(typed))
    hidden = iter(["client-secret", "hunter2"])
    monkeypatch.setattr("getpass.getpass", lambda prompt: next(hidden))
    assert cli.main(["login", "reddit", "--config", str(path)]) == 0
    stored = json.loads(memory_keyring.get_password("reddit", "gp_22"))
    assert stored == {
        "client_id": "client-1",
        "client_secret": "client-secret",
        "username": "gp_22",
        "password": "hunter2",
    }
    assert responses.calls[1].request.headers["Authorization"] == "Bearer AT"


def test_login_needs_an_account_to_check_against(tmp_path, capsys):
    path = tmp_path / "config.toml"
    path.write_text("")
    assert cli.main(["login", "x", "--config", str(path), "--secret-stdin"]) == 2
    assert "auditor login x --handle HANDLE" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("platform", "handle", "base"),
    [("bluesky", "drjlee.bsky.social", "https://public.api.bsky.app"), ("x", "DrJLee", "")],
)
def test_a_handle_outside_the_config_gets_the_platform_default(platform, handle, base):
    acc = config_mod.live_account(platform, handle)
    assert acc.live and acc.token is None
    assert acc.base_url == (base or config_mod.LIVE_DEFAULTS[platform])
