"""security.email-breached: HIBP's breached-account search with the user's own key (from the
keyring, mocked HTTP), only when the config names the key, never --offline; the key never
appears anywhere."""

import json

import pytest
import responses

from auditor import cli
from auditor.config import ConfigError, load

from conftest import EXAMPLE

HIBP = "https://haveibeenpwned.com/api/v3"
KEY = "0123456789abcdef0123456789abcdef"
SEARCH = f"{HIBP}/breachedaccount/maya.okafor%40example.com"
BREACHES = [
    {
        "Name": "Adobe",
        "Domain": "adobe.com",
        "BreachDate": "2013-10-04",
        "DataClasses": ["Email addresses", "Password hints", "Passwords", "Usernames"],
    },
    {"Name": "Canva", "Domain": "canva.com", "BreachDate": "2019-05-24", "DataClasses": ["Names"]},
]


@pytest.fixture
def config(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text('[hibp]\napi_key = "keyring:hibp/api-key"\n')
    return path


def scan(config, tmp_path, *extra):
    out = tmp_path / "r.json"
    code = cli.main(
        ["scan", str(EXAMPLE), "--config", str(config), "-o", str(out), "-q", "--fail-on", "none"]
        + list(extra)
    )
    return code, json.loads(out.read_text())


@responses.activate
def test_breaches_of_the_address_on_file(config, tmp_path, memory_keyring, capsys):
    memory_keyring.set_password("hibp", "api-key", KEY)
    responses.get(SEARCH, json=BREACHES)
    code, doc = scan(config, tmp_path, "--show-text", "--debug")
    assert code == 0
    [f] = [f for f in doc["findings"] if f["check"] == "security.email-breached"]
    assert f["severity"] == "high" and f["account"] == "x:DrMayaOkafor"
    assert f["title"] == (
        "The e-mail address m•••@example.com, on file for x:DrMayaOkafor, is in 2 known "
        "breaches, 1 with passwords"
    )
    assert [e["label"].split(",")[0] for e in f["evidence"]] == ["Canva", "Adobe"]
    request = responses.calls[0].request
    assert request.headers["hibp-api-key"] == KEY
    assert "truncateResponse=false" in request.url
    everything = json.dumps(doc) + capsys.readouterr().err
    assert KEY not in everything and "maya.okafor@example.com" not in f["title"]


@responses.activate
def test_an_address_in_no_breach_is_a_404_and_no_finding(config, tmp_path, memory_keyring):
    memory_keyring.set_password("hibp", "api-key", KEY)
    responses.get(SEARCH, status=404)
    code, doc = scan(config, tmp_path)
    assert code == 0
    assert not [f for f in doc["findings"] if f["check"] == "security.email-breached"]


@responses.activate
def test_a_refused_key_or_a_missing_one_is_one_line_and_the_rest_runs(
    config, tmp_path, memory_keyring
):
    code, doc = scan(config, tmp_path)  # nothing stored under the name
    assert code == 3
    [err] = doc["coverage"]["check_errors"]
    assert err["check"] == "security.email-breached"
    assert "auditor secrets set hibp/api-key" in err["message"]
    assert doc["findings"]  # the rest of the audit ran
    memory_keyring.set_password("hibp", "api-key", KEY)
    responses.get(SEARCH, status=401)
    code, doc = scan(config, tmp_path)
    assert code == 3 and "API key was refused" in doc["coverage"]["check_errors"][0]["message"]
    assert KEY not in json.dumps(doc)


@responses.activate
def test_offline_or_no_key_in_the_config_asks_nothing(config, tmp_path, memory_keyring):
    memory_keyring.set_password("hibp", "api-key", KEY)
    scan(config, tmp_path, "--offline")
    plain = tmp_path / "plain.toml"
    plain.write_text("")
    scan(plain, tmp_path)
    assert len(responses.calls) == 0


def test_the_key_itself_in_the_config_is_refused(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text(f'[hibp]\napi_key = "{KEY}"\n')
    with pytest.raises(ConfigError) as err:
        load(path)
    assert "hibp.api_key: expected a keyring reference" in str(err.value)
    assert KEY not in str(err.value)
