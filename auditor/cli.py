"""The `auditor` command: scan, audit, init, login, history, diff, schedule, share, practice,
classify, checks, facts, secrets, data.

Exit codes: 0 clean, 1 findings at or above --fail-on, 2 usage or input error, 3 a source or
check failed but the rest ran.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import traceback
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from auditor import __version__
from auditor.errors import AuditorError, ConfigError

if TYPE_CHECKING:
    from auditor.config import Config
    from auditor.engine import LiveSource
    from auditor.model import AuditResult
    from auditor.plugins import Plugins

EXIT_OK, EXIT_FINDINGS, EXIT_INPUT, EXIT_PARTIAL = 0, 1, 2, 3
FAIL_ON = ("critical", "high", "medium", "low", "info", "none")
# auditor.practice.report.FORMATS, named here so `--help` does not import the renderers
PRACTICE_FORMATS = ("text", "json", "markdown", "csv", "html")


def _common() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--config",
        type=Path,
        metavar="PATH",
        help="config file (default: config.toml in the user config directory, if present)",
    )
    common.add_argument("--quiet", "-q", action="store_true", help="no progress display")
    common.add_argument("--debug", action="store_true", help="show tracebacks for errors")
    return common


def _add_output(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--output",
        "-o",
        type=Path,
        metavar="FILE",
        help="write to FILE (created readable by you only) instead of standard output",
    )


def _inputs() -> argparse.ArgumentParser:
    inputs = argparse.ArgumentParser(add_help=False)
    inputs.add_argument(
        "sources",
        nargs="+",
        type=Path,
        metavar="SOURCE",
        help="a platform's data export (zip, tar.gz or unzipped folder; Bluesky's repo.car; "
        "TikTok's user_data.json) or a post file (.jsonl, .json, .csv)",
    )
    _add_output(inputs)
    inputs.add_argument(
        "--platform",
        metavar="NAME",
        help="skip detection: read with this source (x, facebook, instagram, linkedin, "
        "mastodon, reddit, tiktok, bluesky, posts, or a plugin's)",
    )
    return inputs


def _report_options() -> argparse.ArgumentParser:
    """What `scan` and `audit` share: the report's format and the evidence besides posts."""
    report = argparse.ArgumentParser(add_help=False)
    report.add_argument(
        "--format",
        "-f",
        metavar="FORMAT",
        help="text (default), json, markdown, csv or html; -o FILE.json etc. picks it by suffix",
    )
    report.add_argument(
        "--show-text", action="store_true", help="show the words that fired instead of masking"
    )
    report.add_argument(
        "--authenticator",
        metavar="FILE",
        action="append",
        type=Path,
        default=[],
        help="an authenticator app's unencrypted export (Aegis or andOTP JSON, a 2FAS .2fas "
        "file, or otpauth:// and otpauth-migration:// URIs one per line): an entry for a "
        "platform is evidence of two-factor authentication; repeatable. Its secrets stay in "
        "memory and never appear in a report; delete the file when done",
    )
    report.add_argument(
        "--passwords",
        metavar="FILE",
        action="append",
        type=Path,
        default=[],
        help="a password manager's unencrypted export (Bitwarden JSON or CSV, 1Password, Chrome, "
        "Edge, Firefox, KeePass or KeePassXC CSV): the audited platforms' logins are checked for "
        "reuse, guessable passwords and 2FA; repeatable. Passwords stay in memory and never "
        "appear in a report; delete the file when done",
    )
    report.add_argument(
        "--all-logins",
        action="store_true",
        help="with --passwords, judge every login in the export, not only the audited platforms'",
    )
    report.add_argument(
        "--offline",
        action="store_true",
        help="call no service: security.password-breached and security.site-breached are "
        "skipped, and the report says so",
    )
    report.add_argument(
        "--no-media",
        action="store_true",
        help="skip the photos attached to posts (their location, text, codes and people); "
        "the coverage counts them as not analysed",
    )
    report.add_argument(
        "--fail-on",
        choices=FAIL_ON,
        default="high",
        help="exit 1 when a finding is at or above this severity (default: high; none: never)",
    )
    return report


def build_parser() -> argparse.ArgumentParser:
    common = _common()
    inputs = _inputs()
    report = _report_options()
    parser = argparse.ArgumentParser(
        prog="auditor",
        description=(
            "Audit a clinician's social-media accounts for security gaps and for posts that "
            "put patients or the clinician at risk. Everything runs on this machine."
        ),
        epilog="Exit codes: 0 clean, 1 findings at or above --fail-on, 2 usage or input error, "
        "3 a source or check failed but the rest ran.",
    )
    parser.add_argument("--version", action="version", version=f"auditor {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    sub.add_parser(
        "scan",
        parents=[common, inputs, report],
        help="audit archive exports or post files once",
        description="Audit one person's data exports (X, Facebook, Instagram and Threads, "
        "LinkedIn, Mastodon, Reddit, TikTok, Bluesky; recognised without flags) and post files "
        "(.jsonl, .json, .csv) and print a report.",
    )
    audit = sub.add_parser(
        "audit",
        parents=[common, report],
        help="audit every account of the config, from its export or live from its API",
        description="Audit the accounts of the config's [[accounts]]: each from the export its "
        '`source` names, or with source = "api" live from the platform (Mastodon, Bluesky, X, '
        "Reddit: read-only; fetched posts are kept in a local cache, so the next audit fetches "
        "only new ones). One failing account never stops the others (exit 3; the coverage says "
        "what is missing).",
    )
    audit.add_argument(
        "--account",
        metavar="KEY",
        action="append",
        default=[],
        help="audit only this account (platform:handle, as `auditor audit` lists them); repeatable",
    )
    audit.add_argument(
        "--share",
        type=Path,
        metavar="FILE",
        help="also write the summary for your employer's security review (auditor.share/1: "
        "two-factor, settings findings and counts of risky posts per account; never a post, "
        "link, message, secret or personal handle); check it with `auditor share --show FILE`",
    )
    audit.add_argument(
        "--refresh",
        action="store_true",
        help="fetch every post again instead of only the new ones (also finds deleted posts)",
    )
    _add_output(audit)

    init = sub.add_parser(
        "init",
        parents=[common],
        help="write a starter config (asks, or takes --account flags) and say the next step",
        description="Write a starter config: the accounts to audit, each with its role and its "
        'source (an export\'s path, or "api" to read it live). Without --account it asks; with '
        "--account it writes what the flags say (for scripts). The file is validated as "
        "`auditor audit` would, written readable by you only, and never over an existing one "
        "without --force.",
        epilog="example: auditor init --account mastodon:drjlee@med.social role=personal "
        "--account x:DrMayaOkafor role=professional source=~/Downloads/twitter.zip",
    )
    init.add_argument(
        "--account",
        nargs="+",
        action="append",
        default=[],
        metavar="SPEC",
        help="PLATFORM:HANDLE then any of role=personal|professional|practice (default "
        "personal), source=PATH|api (default api where the platform has a live API), base_url=, "
        "token=keyring:SERVICE/NAME; repeatable",
    )
    init.add_argument("--owner", metavar="NAME", help="your name, as reports show it")
    init.add_argument("--force", action="store_true", help="replace an existing config")

    login = sub.add_parser(
        "login",
        parents=[common],
        help="create and store the token or app password a live audit needs",
        description="Walk through creating the credential a platform's API needs (a Mastodon "
        "access token, a Bluesky app password, an X bearer token, a Reddit OAuth client), check "
        "it with one read call as the configured account, and store it in the OS keyring under "
        "the name the account's `token` gives (else PLATFORM/HANDLE). Nothing is written to the "
        "platform and nothing to a file.",
    )
    login.add_argument("platform", choices=("mastodon", "bluesky", "x", "reddit"))
    login.add_argument(
        "--account", metavar="KEY", help="the config's account (platform:handle), if several"
    )
    login.add_argument(
        "--handle", help="an account the config does not list yet (the token is still checked)"
    )
    login.add_argument(
        "--secret-stdin",
        action="store_true",
        help="read the credential from standard input instead of asking (for scripts; Reddit: "
        'a JSON object {"client_id", "client_secret", and "refresh_token" or "username" and '
        '"password"})',
    )

    sub.add_parser(
        "history",
        parents=[common],
        help="list the recorded audits and scans",
        description="Every scan and audit is recorded in an owner-only file in your user data "
        "directory: its findings' fingerprints, checks, severities and account keys, and the "
        "summary counts; never a post's text, id or link, nor a secret.",
    )
    diff = sub.add_parser(
        "diff",
        parents=[common],
        help="what changed between two audits: new, reopened, resolved, still open",
        description="Compare two recorded audits (numbers as `auditor history` lists them; "
        "default: the last two; one number: that audit and the last). A finding is reopened "
        "when its mute expired or it came back after it had been resolved.",
    )
    diff.add_argument("audits", nargs="*", type=int, metavar="N", help="audit numbers (A B)")

    share = sub.add_parser(
        "share",
        parents=[common],
        help="show what a summary for your employer holds, before you send it",
        description="Print, in words and then exactly as the file holds it, what a summary "
        "written by `auditor audit --share FILE` (or [share] path) tells your employer.",
    )
    share.add_argument("--show", type=Path, metavar="FILE", required=True, help="the summary")

    practice = sub.add_parser(
        "practice",
        help="the practice-wide security review from the staff's shared summaries",
        description="For a practice manager: combine the summaries staff share "
        "(`auditor audit --share`) with the roster's policy into one review. No member's post "
        "is ever in it: the summaries hold none.",
    )
    practice_sub = practice.add_subparsers(dest="action", metavar="ACTION", required=True)
    review = practice_sub.add_parser(
        "review",
        parents=[common],
        help="the review: figures, members, policy checklist, top actions",
        description="Read roster.toml (see roster.example.toml) and each member's summary; a "
        "summary that is missing, too old, unreadable, from a newer version or for another "
        "practice is named as such and never counted as clean.",
    )
    review.add_argument("roster", type=Path, help="the roster file (roster.toml)")
    review.add_argument(
        "--format",
        "-f",
        choices=PRACTICE_FORMATS,
        default="text",
        help="text (default), json, markdown, csv (one row per member) or html (one "
        "self-contained page with a chart)",
    )
    _add_output(review)

    schedule = sub.add_parser(
        "schedule",
        parents=[common],
        help="run the config's audit periodically (a monthly self-audit by default)",
        description="Run the config's audit on its [schedule] cron expression (crontab syntax, "
        "local time; default 08:00 on the 1st of each month) in the foreground, until Ctrl-C or "
        "SIGTERM. Each run writes dated reports in the [schedule] formats into the report "
        "directory, keeps the newest [schedule] keep runs, records the history, and mails a "
        "report when [schedule.mail] says so. Runs missed while the machine slept are made up "
        "once. To let the system start it instead, install what --print-systemd or --print-cron "
        "prints: both fire at the same times as this scheduler.",
    )
    doing = schedule.add_mutually_exclusive_group()
    doing.add_argument(
        "--once", action="store_true", help="one scheduled run now (what cron and timers call)"
    )
    doing.add_argument(
        "--next", type=int, metavar="N", nargs="?", const=5, help="list the next N run times"
    )
    doing.add_argument(
        "--print-cron", action="store_true", help="print the equivalent crontab line"
    )
    doing.add_argument(
        "--print-systemd",
        action="store_true",
        help="print the equivalent systemd user service and timer",
    )

    classify = sub.add_parser(
        "classify",
        parents=[common, inputs],
        help="one line per post with its domain and the checks that fired",
        description="Print one JSON line per post of the user's own words: "
        '{"id", "account", "created_at", "url", "domain", "checks"}; and one per '
        'direct-message conversation: {"id", "checks"}. With --format csv, one row per post '
        "(id, account, created_at, url, domain, checks joined by spaces), for a deletion or "
        "review tool; conversations are left out of the CSV.",
    )
    classify.add_argument(
        "--format",
        "-f",
        choices=("jsonl", "csv"),
        default="jsonl",
        help="jsonl (default) or csv",
    )
    classify.add_argument(
        "--only-flagged",
        action="store_true",
        help="only the posts (and conversations) at least one check flagged",
    )

    facts = sub.add_parser(
        "facts",
        help="keep your own sensitive facts (street, children's names, plate) in the OS keyring",
        description="Protected facts are words only you know are sensitive: your street, your "
        "children's names and school, your licence plate, your DEA number. `scan` flags every "
        "post that mentions one (content.self-exposure, high). A fact written as coordinates "
        '("40.7128, -74.0060": your home, a child\'s school) marks a place: a photo taken '
        "there is critical (content.photo-location). They are kept in the operating system's "
        "keyring, never in a file.",
    )
    facts_sub = facts.add_subparsers(dest="action", metavar="ACTION", required=True)
    facts_add = facts_sub.add_parser("add", help="protect a fact")
    facts_add.add_argument(
        "fact", help='the words to look for, e.g. "Maple Crescent", or a place as "lat, lon"'
    )
    facts_sub.add_parser("list", help="show the protected facts")
    facts_remove = facts_sub.add_parser("remove", help="stop protecting a fact")
    facts_remove.add_argument("fact", help="the fact, as listed (case does not matter)")
    facts.add_argument(
        "--debug", action="store_true", help="show the traceback of an unexpected error"
    )

    secrets = sub.add_parser(
        "secrets",
        help="keep API tokens and keys in the OS keyring (set, delete, list)",
        description="Secrets the auditor needs (API tokens, keys, passwords) live in the operating "
        "system's keyring, never in a file; the config refers to one as keyring:SERVICE/NAME. "
        "`list` shows names only, never values.",
    )
    secrets_sub = secrets.add_subparsers(dest="action", metavar="ACTION", required=True)
    secrets_set = secrets_sub.add_parser("set", help="store a secret (asked for, not echoed)")
    secrets_set.add_argument("name", help="SERVICE/NAME, e.g. mastodon/med.social")
    secrets_set.add_argument(
        "--stdin", action="store_true", help="read the value from standard input (for scripts)"
    )
    secrets_delete = secrets_sub.add_parser("delete", help="remove a secret")
    secrets_delete.add_argument("name", help="SERVICE/NAME, as listed")
    secrets_sub.add_parser("list", help="the names of the stored secrets (never their values)")
    secrets.add_argument(
        "--debug", action="store_true", help="show the traceback of an unexpected error"
    )

    data = sub.add_parser(
        "data",
        help="show or refresh the data sets the checks use (the 2fa.directory)",
        description="The checks compare your second factors with the 2fa.directory data set "
        "(which methods each site offers). A snapshot ships with the package; `update` fetches "
        "the current one over HTTPS from the project's API (or the config's [endpoints] "
        "twofa_directory) into your user data directory, and every report says how old the "
        "copy in use is. `show` says which copy is in use.",
    )
    data_sub = data.add_subparsers(dest="action", metavar="ACTION", required=True)
    data_sub.add_parser("update", parents=[common], help="fetch the current 2fa.directory")
    data_sub.add_parser("show", parents=[common], help="which data sets are in use, how old")

    sub.add_parser(
        "checks",
        parents=[common],
        help="list every installed check",
        description="List every installed check: id, scope, severity, title.",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help(sys.stderr)
        return EXIT_INPUT
    try:
        return COMMANDS[args.command](args)
    except ConfigError as exc:
        _err(str(exc))
        return EXIT_INPUT
    except AuditorError as exc:
        if args.debug:
            traceback.print_exc()
        _err(str(exc))
        return EXIT_INPUT
    except KeyboardInterrupt:
        _err("interrupted")
        return 130
    except BrokenPipeError:
        return EXIT_OK
    except Exception as exc:
        if args.debug:
            traceback.print_exc()
        hint = "" if args.debug else " (run with --debug for the traceback)"
        _err(f"internal error: {type(exc).__name__}: {exc}{hint}")
        return EXIT_PARTIAL


def _err(message: str) -> None:
    sys.stderr.write(f"auditor: {message}\n")


def _setup(args: argparse.Namespace):  # noqa: ANN202 - returns (Config, Plugins)
    from auditor import config as config_mod
    from auditor.plugins import discover

    config = config_mod.load(args.config)
    plugins = discover()
    problems = config_mod.unknown_checks(config, set(plugins.checks))
    if problems:
        raise ConfigError(str(config.path), problems)
    for error in plugins.errors:
        _err(f"warning: {error}")
    return config, plugins


def _guard_inputs(sources: Sequence[Path], output: Path | None) -> None:
    if output is None:
        return
    out = output.resolve()
    for src in sources:
        if src.exists() and (out == src.resolve() or src.resolve() in out.parents):
            raise AuditorError(f"{output}: refusing to write a report over or into an input")


def open_private(path: Path) -> TextIO:
    """A text file readable by the owner only (reports can name patients' details)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(fd, 0o600)
    return open(fd, "w", encoding="utf-8", newline="")


def _scan(args: argparse.Namespace) -> int:
    config, plugins = _setup(args)
    return _audit_and_report(args, config, plugins, args.sources)


def _audit(args: argparse.Namespace) -> int:
    from auditor.live import audit

    config, plugins = _setup(args)
    chosen = audit.chosen_accounts(config, args.account)
    paths = [Path(a.source) for a in chosen if not a.live]
    with audit.LiveRun(refresh=args.refresh, quiet=args.quiet) as run:
        live = [run.source(a) for a in chosen if a.live]
        # an account that fails is in the report's coverage, even when it is the only one
        return _audit_and_report(args, config, plugins, paths, live, need_a_source=False)


def _audit_and_report(
    args: argparse.Namespace,
    config: Config,
    plugins: Plugins,
    sources: Sequence[Path],
    live: Sequence[LiveSource] = (),
    need_a_source: bool = True,
) -> int:
    """Run the audit over `sources` (and live accounts), write the report, and give the exit
    code: what `scan` and `audit` share."""
    from auditor import engine, history
    from auditor.progress import Progress
    from auditor.reports.document import build

    fmt = args.format
    if fmt is None and args.output is not None:
        by_suffix = {cls.suffix: name for name, cls in plugins.reports.items()}
        fmt = by_suffix.get(args.output.suffix.lower())
    fmt = fmt or "text"
    if fmt not in plugins.reports:
        raise AuditorError(f"unknown --format {fmt!r} (known: {', '.join(plugins.reports)})")
    authenticators = [*config.authenticators, *args.authenticator]
    passwords = [*config.password_exports, *args.passwords]
    _guard_inputs([*sources, *authenticators, *passwords], args.output)

    from auditor.media.stage import MediaStage

    progress = Progress(enabled=not args.quiet)
    with MediaStage(enabled=not args.no_media, progress=progress) as media:
        result = engine.run(
            sources,
            config,
            plugins,
            platform=getattr(args, "platform", None),
            progress=progress,
            show_text=args.show_text,
            debug=args.debug,
            protected_facts=_protected_facts(),
            authenticators=authenticators,
            vaults=passwords,
            all_logins=args.all_logins,
            offline=args.offline,
            live=live,
            media=media,
        )
    for note in media.notes:
        _err(note)
    if not _report_errors(result) and need_a_source:
        return EXIT_INPUT

    doc = build(result, show_text=args.show_text)
    history.keep(doc, args.command, config.history_path, _err)
    if getattr(args, "share", None) is not None:
        from auditor.practice import share

        share.write(args.share, share.summary(doc, config, share.check_titles()))
        if not args.quiet:
            _err(f"summary for your employer written to {args.share}: `auditor share --show` it")
    report = plugins.reports[fmt]()
    if args.output is None:
        report.render(doc, sys.stdout)
        sys.stdout.flush()
    else:
        with open_private(args.output) as out:
            report.render(doc, out)
        if not args.quiet:
            _err(f"report written to {args.output}")

    if result.failed:
        return EXIT_PARTIAL
    if args.fail_on != "none":
        from auditor.model import Severity

        bar = Severity(args.fail_on).rank
        if any(f.severity.rank >= bar for f in result.findings):
            return EXIT_FINDINGS
    return EXIT_OK


def _open_history(args: argparse.Namespace):  # noqa: ANN202 - an auditor.history.History
    from auditor import config as config_mod
    from auditor.history import History

    return History(config_mod.load(args.config).history_path)


def _history(args: argparse.Namespace) -> int:
    history = _open_history(args)
    try:
        audits = history.audits()
    finally:
        history.close()
    for a in audits:
        counts = ", ".join(f"{n} {sev}" for sev, n in a.summary.get("by_severity", {}).items() if n)
        counts = f" ({counts})" if counts else ""
        print(
            f"{a.id:>4}  {a.at[:19].replace('T', ' ')}  {a.command:<5}  "
            f"{a.summary.get('findings', 0):>3} finding(s){counts}  {', '.join(a.accounts)}"
        )
    if not audits:
        _err("no audits recorded yet: run `auditor scan` or `auditor audit`")
    return EXIT_OK


def _diff(args: argparse.Namespace) -> int:
    history = _open_history(args)
    try:
        ids = [a.id for a in history.audits()]
        wanted = [*args.audits]
        if len(wanted) > 2:
            raise AuditorError("auditor diff takes at most two audits (as `auditor history` lists)")
        if not wanted:
            if len(ids) < 2:
                raise AuditorError("auditor diff needs two recorded audits (see `auditor history`)")
            wanted = ids[-2:]
        elif len(wanted) == 1:
            wanted = [wanted[0], ids[-1] if ids else wanted[0]]
        for n in wanted:
            if n not in ids:
                raise AuditorError(f"no audit {n} in the history (see `auditor history`)")
        changes = history.changes(wanted[0], wanted[1])
    finally:
        history.close()
    print(f"From audit {changes.before} to audit {changes.after}:")
    for label, items in (
        ("new", changes.new),
        ("reopened", changes.reopened),
        ("resolved", changes.resolved),
        ("still open", changes.still_open),
    ):
        print(f"  {label}: {len(items)}")
        for seen in items:
            print(f"    {seen.severity:<8} {seen.check:<36} {seen.account}  [{seen.fingerprint}]")
    return EXIT_OK


def _practice(args: argparse.Namespace) -> int:
    from auditor.practice import report, review, roster

    doc = review.review(roster.load(args.roster))
    if args.output is None:
        report.render(doc, args.format, sys.stdout)
    else:
        with open_private(args.output) as out:
            report.render(doc, args.format, out)
        if not args.quiet:
            _err(f"review written to {args.output}")
    return EXIT_OK


def _share(args: argparse.Namespace) -> int:
    from auditor.practice import share

    try:
        data = json.loads(args.show.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise AuditorError(f"{args.show}: not a readable summary ({exc})") from exc
    if not isinstance(data, dict) or data.get("schema") != share.SCHEMA:
        raise AuditorError(f"{args.show}: not an {share.SCHEMA} summary (`auditor audit --share`)")
    for line in share.describe(data):
        print(line)
    print("\nExactly what the file holds:")
    print(args.show.read_text(encoding="utf-8"), end="")
    return EXIT_OK


def _schedule(args: argparse.Namespace) -> int:
    from auditor.schedule import command

    config, plugins = _setup(args)
    return command.run(args, config, plugins)


def _classify(args: argparse.Namespace) -> int:
    import csv

    from auditor import engine
    from auditor.model import Conversation, Post
    from auditor.progress import Progress

    config, plugins = _setup(args)
    _guard_inputs(args.sources, args.output)
    out = open_private(args.output) if args.output else sys.stdout
    encode = json.JSONEncoder(ensure_ascii=False).encode
    as_csv = args.format == "csv"
    rows = csv.writer(out, lineterminator="\n") if as_csv else None
    if rows is not None:
        rows.writerow(("id", "account", "created_at", "url", "domain", "checks"))

    def line(post: Post, fired: list[str], domain: str | None) -> None:
        if args.only_flagged and not fired:
            return
        when = post.created_at.isoformat().replace("+00:00", "Z") if post.created_at else None
        if rows is not None:
            rows.writerow(
                (post.id, post.account, when or "", post.url or "", domain or "", " ".join(fired))
            )
            return
        out.write(
            encode(
                {
                    "id": post.id,
                    "account": post.account,
                    "created_at": when,
                    "url": post.url,
                    "domain": domain,
                    "checks": fired,
                }
            )
            + "\n"
        )

    def conversation_line(conversation: Conversation, fired: list[str]) -> None:
        if as_csv or (args.only_flagged and not fired):
            return
        out.write(encode({"id": conversation.id, "checks": fired}) + "\n")

    try:
        result = engine.run(
            args.sources,
            config,
            plugins,
            platform=args.platform,
            progress=Progress(enabled=not args.quiet),
            on_post=line,
            on_conversation=conversation_line,
            debug=args.debug,
            protected_facts=_protected_facts(),
        )
    except engine.HookError as exc:
        if isinstance(exc.__cause__, BrokenPipeError):
            # The reader stopped (`| head`): stop too, quietly, as other filters do.
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            return EXIT_OK
        raise exc.__cause__ from None
    finally:
        if out is not sys.stdout:
            out.close()
    if not _report_errors(result):
        return EXIT_INPUT
    return EXIT_PARTIAL if result.failed else EXIT_OK


def _protected_facts() -> tuple[str, ...]:
    """The user's protected facts; when the keyring cannot be read, one line says so and the
    audit runs without them."""
    from auditor import facts

    found, problem = facts.load_quietly()
    if problem:
        _err(f"protected facts not checked: {problem}")
    return found


def _report_errors(result: AuditResult) -> bool:
    """One line on stderr per source or check error; False when no source could be read."""
    for cov in result.coverage:
        for e in cov.errors:
            _err(f"{e.file}: {e.message}")
    for e in result.check_errors:
        _err(f"{e.file}: {e.message}")
    for c in result.credentials:
        if c.error:
            _err(c.error)
        for s in c.skipped:
            _err(f"{c.path}: left out {s}" if c.kind == "authenticator" else f"{c.path}: {s}")
    return not (result.coverage and all(c.platform is None for c in result.coverage))


def _checks(args: argparse.Namespace) -> int:
    from tabulate import tabulate

    _config, plugins = _setup(args)
    rows = [
        (c.meta.id, c.meta.scope.value, c.meta.severity.value, c.meta.title)
        for c in plugins.checks.values()
    ]
    print(tabulate(rows, headers=("Check", "Scope", "Severity", "Title"), tablefmt="simple"))
    return EXIT_OK


def _facts(args: argparse.Namespace) -> int:
    from auditor import facts

    if args.action == "add":
        added = facts.add(args.fact)
        _err(f"protected: {facts.normalise(args.fact)}" if added else "already protected")
    elif args.action == "remove":
        if not facts.remove(args.fact):
            _err(f"not a protected fact: {facts.normalise(args.fact)} (see `auditor facts list`)")
            return EXIT_INPUT
        _err(f"no longer protected: {facts.normalise(args.fact)}")
    else:
        stored = facts.load()
        for fact in stored:
            print(fact)
        if not stored:
            _err('no protected facts yet: add one with `auditor facts add "Maple Crescent"`')
    return EXIT_OK


def _init(args: argparse.Namespace) -> int:
    from auditor import config as config_mod
    from auditor import init_config

    default = args.config is None
    path = args.config or config_mod.default_path()
    if path.exists() and not args.force:
        _err(f"{path}: a config is already there: edit it, or pass --force to replace it")
        return EXIT_INPUT
    if args.account:
        specs = [init_config.parse_spec(words) for words in args.account]
    elif sys.stdin.isatty():
        specs = init_config.ask_accounts(input, print)
    else:
        _err("no --account given and no terminal to ask on: pass --account PLATFORM:HANDLE ...")
        return EXIT_INPUT
    if not specs:
        _err("no accounts given: nothing written")
        return EXIT_INPUT
    config = init_config.write(path, init_config.render(specs, args.owner), force=args.force)
    print(f"Wrote {path} with {len(config.accounts)} account(s). Next:")
    for step in init_config.next_steps(config, path, default):
        print(f"  {step}")
    return EXIT_OK


def _login(args: argparse.Namespace) -> int:
    import getpass

    from auditor import config as config_mod
    from auditor.live import login

    config = config_mod.load(args.config)
    cfg = login.choose(config, args.platform, args.account, args.handle)
    guide = login.guides()[args.platform]
    if args.secret_stdin:
        secret = sys.stdin.read().strip()
    else:
        if not sys.stdin.isatty():
            _err("no terminal to ask on: pipe the credential with --secret-stdin")
            return EXIT_INPUT
        print(f"{cfg.key} needs {guide.credential}:")
        for line in guide.lines(cfg):
            print(f"  {line}")
        if guide.note:
            print(f"  ({guide.note})")
        answers = {}
        for ask in guide.asks:
            default = login.default_for(ask, cfg)
            label = f"{ask.prompt}{f' [{default}]' if default else ''}: "
            answer = getpass.getpass(label) if ask.secret else input(label)
            answers[ask.key] = answer.strip() or default
        secret = guide.combine(answers)
    if not secret:
        _err("nothing given: nothing stored")
        return EXIT_INPUT
    who = login.check(cfg, secret, _err)
    name = login.store(cfg, secret)
    _err(f"{cfg.key}: the {guide.credential} works (signed in as {who}); stored as {name}")
    listed = next((a for a in config.accounts if a.key == cfg.key and a.live), None)
    if listed is None or listed.token is None:
        where = config.path or config_mod.default_path()
        keys = f'token = "keyring:{name}"' + ("" if listed else ' (with source = "api")')
        _err(f"give the account {keys} in {where}, then run `auditor audit`")
    else:
        _err(f"next: `auditor audit --account {cfg.key}`")
    return EXIT_OK


def _secrets(args: argparse.Namespace) -> int:
    import getpass

    from auditor import secrets

    if args.action == "set":
        secrets.parse_name(args.name)  # a bad name fails before the value is asked for
        value = sys.stdin.readline().rstrip("\n") if args.stdin else getpass.getpass("value: ")
        secrets.set_secret(args.name, value)
        _err(f"stored {args.name} in the OS keyring; use it in the config as keyring:{args.name}")
    elif args.action == "delete":
        if not secrets.delete_secret(args.name):
            _err(f"no secret named {args.name} (see `auditor secrets list`)")
            return EXIT_INPUT
        _err(f"deleted {args.name}")
    else:
        stored = secrets.names()
        for name in stored:
            print(name)
        if not stored:
            _err("no secrets stored yet: add one with `auditor secrets set SERVICE/NAME`")
    return EXIT_OK


def _data(args: argparse.Namespace) -> int:
    from datetime import date

    from auditor import config as config_mod
    from auditor import twofa_directory
    from auditor.net import ServiceError

    before = twofa_directory.current()
    if args.action == "update":
        config = config_mod.load(args.config)
        try:
            got = twofa_directory.update(config.endpoints["twofa_directory"])
        except ServiceError as exc:
            _err(f"2fa.directory not updated: {exc}")
            return EXIT_PARTIAL
        _err(
            f"2fa.directory: {got.sites:,} sites from {got.source}, saved to {got.path} "
            f"(was: {before.describe()})"
        )
        return EXIT_OK
    data = twofa_directory.current()
    print(
        f"2fa.directory: {data.describe()}, {len(data.entries):,} sites, "
        f"{twofa_directory.age_days(date.today())} days old"
    )
    if data.note:
        print(f"  {data.note}")
    return EXIT_OK


COMMANDS = {
    "scan": _scan,
    "audit": _audit,
    "classify": _classify,
    "checks": _checks,
    "facts": _facts,
    "secrets": _secrets,
    "init": _init,
    "history": _history,
    "diff": _diff,
    "schedule": _schedule,
    "share": _share,
    "practice": _practice,
    "login": _login,
    "data": _data,
}
