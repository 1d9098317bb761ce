"""Authenticator exports (auditor/credentials): each app's format as its export writes it, the
TOTP validation against RFC 6238's vectors, weak entries, and secrets that never leave memory."""

import base64
import hashlib
import json

import pyotp
import pytest

from auditor.credentials import authenticator, migration
from auditor.credentials.totp import EntryError, from_uri, make_entry

from conftest import EXAMPLE, run_cli

STRONG = base64.b32encode(b"0123456789abcdefghij").decode()  # 160 bits
WEAK = base64.b32encode(b"short1234!").decode()  # 80 bits
OTHER = base64.b32encode(b"ABCDEFGHIJKLMNOPQRST").decode()


def aegis(entries, encrypted=False):
    if encrypted:
        return {
            "version": 1,
            "header": {"slots": [{"type": 1, "uuid": "x", "key": "00"}], "params": {"nonce": "0"}},
            "db": "c2VjcmV0IGJ5dGVz",
        }
    return {
        "version": 1,
        "header": {"slots": None, "params": None},
        "db": {
            "version": 2,
            "entries": [
                {
                    "type": "totp",
                    "uuid": str(n),
                    "name": name,
                    "issuer": issuer,
                    "note": "",
                    "icon": None,
                    "info": {"secret": secret, "algo": "SHA1", "digits": digits, "period": 30},
                }
                for n, (issuer, name, secret, digits) in enumerate(entries)
            ],
        },
    }


def twofas(services, encrypted=False):
    doc = {"schemaVersion": 4, "appVersionCode": 5000012, "appOrigin": "android", "groups": []}
    if encrypted:
        return doc | {"services": [], "servicesEncrypted": "AAAA:BBBB:CCCC"}
    return doc | {
        "services": [
            {
                "name": issuer,
                "secret": secret,
                "updatedAt": 1700000000000,
                "otp": {
                    "label": f"{issuer}:{name}",
                    "account": name,
                    "issuer": issuer,
                    "digits": 6,
                    "period": 30,
                    "algorithm": "SHA1",
                    "tokenType": "TOTP",
                    "source": "Link",
                },
                "order": {"position": n},
            }
            for n, (issuer, name, secret) in enumerate(services)
        ]
    }


def andotp(entries):
    return [
        {
            "secret": secret,
            "issuer": issuer,
            "label": f"{issuer}:{name}",
            "digits": 6,
            "type": "TOTP",
            "algorithm": "SHA1",
            "thumbnail": "Default",
            "last_used": 1700000000000,
            "used_frequency": 0,
            "period": 30,
            "tags": [],
        }
        for issuer, name, secret in entries
    ]


def _varint(n):
    out = bytearray()
    while True:
        out.append((n & 0x7F) | (0x80 if n > 0x7F else 0))
        n >>= 7
        if not n:
            return bytes(out)


def _field(number, value):
    if isinstance(value, int):
        return _varint(number << 3) + _varint(value)
    return _varint(number << 3 | 2) + _varint(len(value)) + value


def migration_uri(accounts):
    """What Google Authenticator's "Transfer accounts" QR code holds (MigrationPayload)."""
    payload = b""
    for secret, name, issuer in accounts:
        otp = (
            _field(1, secret)
            + _field(2, name.encode())
            + _field(3, issuer.encode())
            + _field(4, 1)  # SHA1
            + _field(5, 1)  # six digits
            + _field(6, 2)  # TOTP
        )
        payload += _field(1, otp)
    payload += _field(2, 1) + _field(3, 1) + _field(4, 0) + _field(5, 12345)
    data = base64.b64encode(payload).decode().replace("+", "%2B").replace("/", "%2F")
    return f"otpauth-migration://offline?data={data.replace('=', '%3D')}"


def write(tmp_path, name, doc):
    path = tmp_path / name
    path.write_text(doc if isinstance(doc, str) else json.dumps(doc))
    return path


# RFC 6238 appendix B: the reference secrets and the codes at T = 59 s and 1111111109 s
@pytest.mark.parametrize(
    ("secret", "algo", "at", "code"),
    [
        (b"12345678901234567890", "SHA1", 59, "94287082"),
        (b"12345678901234567890123456789012", "SHA256", 59, "46119246"),
        (b"1234567890" * 6 + b"1234", "SHA512", 59, "90693936"),
        (b"12345678901234567890", "SHA1", 1111111109, "07081804"),
    ],
)
def test_entries_compute_the_rfc_6238_codes(secret, algo, at, code):
    entry = make_entry("RFC", "vector", secret, digits=8, algorithm=algo)
    digest = {"SHA1": hashlib.sha1, "SHA256": hashlib.sha256, "SHA512": hashlib.sha512}[algo]
    totp = pyotp.TOTP(entry.secret, digits=8, digest=digest)
    assert totp.at(at) == code
    assert entry.secret_bits == len(secret) * 8


def test_an_entry_never_shows_its_secret():
    entry = make_entry("Twitter", "dr", STRONG)
    assert STRONG not in repr(entry) and STRONG not in str(entry)
    with pytest.raises(EntryError) as err:
        make_entry("Twitter", "dr", "NOT*BASE32!" + STRONG)
    assert STRONG not in str(err.value)


def test_otpauth_uris():
    e = from_uri(f"otpauth://totp/Twitter:drmaya?secret={STRONG}&issuer=Twitter&digits=6")
    assert (e.issuer, e.name, e.digits, e.period) == ("Twitter", "drmaya", 6, 30)
    with pytest.raises(EntryError):
        from_uri("https://example.com/?secret=AAAA")


def test_google_authenticator_migration():
    uri = migration_uri(
        [(b"0123456789abcdefghij", "drmaya", "Twitter"), (b"xyz" * 7, "me", "Reddit")]
    )
    got = list(migration.entries(uri))
    assert [(e.issuer, e.name, e.digits) for e in got] == [
        ("Twitter", "drmaya", 6),
        ("Reddit", "me", 6),
    ]
    assert got[0].secret == STRONG


@pytest.mark.parametrize(
    ("name", "doc", "fmt"),
    [
        (
            "aegis.json",
            aegis([("Twitter", "drmaya", STRONG, 6), ("GitHub", "me", OTHER, 6)]),
            "aegis",
        ),
        ("backup.2fas", twofas([("Twitter", "drmaya", STRONG), ("GitHub", "me", OTHER)]), "2fas"),
        (
            "otp_accounts.json",
            andotp([("Twitter", "drmaya", STRONG), ("GitHub", "me", OTHER)]),
            "andotp",
        ),
        (
            "uris.txt",
            f"# exported\notpauth://totp/Twitter:drmaya?secret={STRONG}&issuer=Twitter\n"
            f"otpauth://totp/GitHub:me?secret={OTHER}&issuer=GitHub\n",
            "uri-list",
        ),
    ],
)
def test_each_format_is_read(tmp_path, name, doc, fmt):
    got = authenticator.read(write(tmp_path, name, doc))
    assert got.format == fmt and got.error is None and not got.skipped
    assert [(e.issuer, e.name) for e in got.entries] == [("Twitter", "drmaya"), ("GitHub", "me")]
    assert authenticator.platform_of(got.entries[0]) == "x"
    assert authenticator.platform_of(got.entries[1]) is None


@pytest.mark.parametrize(
    ("name", "doc"),
    [
        ("aegis.json", aegis([], encrypted=True)),
        ("backup.2fas", twofas([], encrypted=True)),
    ],
)
def test_encrypted_exports_say_what_to_do(tmp_path, name, doc):
    got = authenticator.read(write(tmp_path, name, doc))
    assert not got.entries
    assert str(tmp_path / name) in got.error
    assert "without encryption" in got.error and "delete it" in got.error
    assert "\n" not in got.error


def test_andotp_encrypted_backup_and_junk(tmp_path):
    aes = tmp_path / "otp_accounts.json.aes"
    aes.write_bytes(b"\x8f\x01\x99binary ciphertext\xff")
    assert "without encryption" in authenticator.read(aes).error
    for body, words in [("{ not json", "not valid JSON"), ("hello", "not an authenticator export")]:
        got = authenticator.read(write(tmp_path, "x.json", body))
        assert words in got.error and got.format is None
    missing = authenticator.read(tmp_path / "nope.json")
    assert "cannot be read" in missing.error


def test_unusable_entries_are_counted_with_reasons_not_secrets(tmp_path):
    doc = aegis(
        [("Twitter", "drmaya", STRONG, 6), ("Broken", "x", "no*base32", 6), ("B", "y", "", 6)]
    )
    got = authenticator.read(write(tmp_path, "aegis.json", doc))
    assert len(got.entries) == 1
    assert sorted(got.skipped) == ["1 entry: no secret", "1 entry: the secret is not base32"]


def test_weak_entries():
    weak = make_entry("Twitter", "dr", WEAK, digits=8)
    reasons = authenticator.weak_reasons(weak, "x")
    assert any("80 bits" in r for r in reasons) and any("8 digits" in r for r in reasons)
    assert authenticator.weak_reasons(make_entry("Twitter", "dr", STRONG), "x") == []
    shared = authenticator.shared_secrets(
        [weak, make_entry("GitHub", "me", WEAK), make_entry("A", "b", STRONG)]
    )
    assert [sorted(e.issuer for e in g) for g in shared.values()] == [["GitHub", "Twitter"]]


def test_scan_takes_the_entry_as_two_factor_evidence_and_flags_its_weakness(tmp_path):
    path = write(
        tmp_path,
        "aegis.json",
        aegis([("Twitter", "DrMayaOkafor", WEAK, 8), ("GitHub", "maya@example.com", WEAK, 6)]),
    )
    out = tmp_path / "report.json"
    proc = run_cli(
        "scan", EXAMPLE, "--authenticator", path, "-o", out, "--fail-on", "none", "--quiet"
    )
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(out.read_text())
    checks = [f["check"] for f in doc["findings"]]
    assert "security.two-factor" not in checks  # an app beside the SMS: enabled
    strength_findings = [f for f in doc["findings"] if f["check"] == "security.two-factor-strength"]

    def titled(words):
        [f] = [f for f in strength_findings if words in f["title"]]
        return f

    strength = titled("authenticator entry")
    labels = " ".join(e["label"] for e in strength["evidence"])
    assert "80 bits" in labels and "8 digits" in labels and "same secret as: GitHub" in labels
    # the archive's SMS is still on beside it; and X takes a security key, stronger still
    assert titled("text-message (SMS) codes")["severity"] == "low"
    method = titled("also offers")
    assert "security key" in method["title"] and "help.x.com" in method["remediation"]
    assert any("2fa.directory snapshot" in e["label"] for e in method["evidence"])
    [x] = [a for a in doc["accounts"] if a["key"] == "x:DrMayaOkafor"]
    assert x["two_factor"]["status"] == "enabled" and "totp" in x["two_factor"]["methods"]
    [cred] = doc["coverage"]["credentials"]
    assert (cred["format"], cred["entries"], cred["platforms"]) == ("aegis", 2, ["x"])


def test_no_secret_in_any_report_log_or_error(tmp_path):
    files = [
        write(
            tmp_path,
            "aegis.json",
            aegis([("Twitter", "DrMayaOkafor", STRONG, 6), ("Bad", "b", WEAK + "*", 6)]),
        ),
        write(tmp_path, "b.2fas", twofas([("Reddit", "me", OTHER)])),
        write(
            tmp_path,
            "uris.txt",
            migration_uri([(b"0123456789abcdefghij", "dr", "Twitter")]) + "\nbroken line\n",
        ),
        write(tmp_path, "enc.json", aegis([], encrypted=True)),
    ]
    secrets = [STRONG, WEAK, OTHER, "0123456789abcdefghij", "c2VjcmV0IGJ5dGVz"]
    for fmt in ("json", "text", "markdown", "csv"):
        args = ["scan", EXAMPLE, "--format", fmt, "--show-text", "--debug", "--fail-on", "none"]
        for f in files:
            args += ["--authenticator", f]
        proc = run_cli(*args)
        assert proc.returncode in (0, 3), proc.stderr
        for secret in secrets:
            assert secret not in proc.stdout and secret not in proc.stderr, (fmt, secret)
    assert "enc.json" in proc.stderr and "without encryption" in proc.stderr


def test_the_2fa_directory_snapshot():
    from auditor import twofa_directory as directory

    x = directory.lookup("accounts.X.com")
    assert x.domain == "x.com" and x.strongest == "u2f" and x.methods == ("u2f", "totp", "sms")
    assert directory.lookup("bsky.app").methods == ("email",)
    assert directory.lookup("no-such-site.example") is None
    assert directory.rank("u2f") < directory.rank("totp") < directory.rank("sms")
