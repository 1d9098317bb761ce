"""Time a password-manager export of N logins audited offline (--passwords ... --all-logins).

python benchmarks/vault.py [N] [--runs R]

Writes a Bitwarden CSV of N logins (random generated passwords, some reused, some guessable,
sites from the bundled 2fa.directory so the 2FA check has work), then times `auditor scan`
on the bundled example archive with and without it. The difference is the vault's cost.
Target: under 2 s for N = 2,000.
"""

from __future__ import annotations

import argparse
import json
import random
import string
import subprocess
import sys
import tempfile
import time
from importlib import resources
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "dr-maya-okafor-twitter-archive.zip"
WORDS = ["summer", "lakeview", "maya", "doctor", "clinic", "password", "welcome", "dragon"]


def write_vault(path: Path, n: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    sites = sorted(
        json.loads(resources.files("auditor.data").joinpath("twofa_directory.json").read_text())
    )
    shared = [_random(rng) for _ in range(20)]
    with path.open("w") as f:
        f.write(
            "folder,favorite,type,name,notes,fields,reprompt,login_uri,login_username,login_password,login_totp\n"
        )
        for i in range(n):
            site = rng.choice(sites)
            roll = rng.random()
            if roll < 0.1:
                pw = rng.choice(shared)
            elif roll < 0.2:
                pw = rng.choice(WORDS) + str(rng.randint(1, 2025))
            else:
                pw = _random(rng)
            f.write(f",,login,{site},,,0,https://{site}/login,user{i},{pw},\n")


def _random(rng: random.Random) -> str:
    return "".join(
        rng.choice(string.ascii_letters + string.digits + "!@#$%")
        for _ in range(rng.choice((12, 16, 20, 24)))
    )


def timed(cmd: list[str]) -> float:
    start = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode not in (0, 1, 3):
        sys.exit(f"failed ({proc.returncode}): {proc.stderr}")
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n", nargs="?", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    auditor = str(Path(sys.executable).parent / "auditor")
    with tempfile.TemporaryDirectory() as tmp:
        vault = Path(tmp) / "bitwarden.csv"
        write_vault(vault, args.n)
        base = [
            auditor,
            "scan",
            str(EXAMPLE),
            "-f",
            "json",
            "-o",
            str(Path(tmp) / "r.json"),
            "-q",
            "--fail-on",
            "none",
            "--offline",  # the target is for the offline audit: no Pwned Passwords round trips
        ]
        without = sorted(timed(base) for _ in range(args.runs))
        with_v = sorted(
            timed([*base, "--passwords", str(vault), "--all-logins"]) for _ in range(args.runs)
        )
        report = json.loads((Path(tmp) / "r.json").read_text())
    found = sum(1 for f in report["findings"] if f["account"].startswith("vault:"))
    med = lambda xs: xs[len(xs) // 2]  # noqa: E731
    print(
        f"{args.n:,} logins: scan {med(without):.2f} s without, {med(with_v):.2f} s with the vault "
        f"(+{med(with_v) - med(without):.2f} s; target < 2 s); {found:,} vault findings"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
