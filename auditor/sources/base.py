"""The source plugin interface: recognise an export, then read it into accounts and posts.

A source is registered in the `auditor.sources` entry-point group. `detect` looks only at
member names (cheap); `read` returns a `SourceImport` whose `posts` iterator streams the posts
one by one, so the engine can run the checks without holding them all; `messages` streams the
direct messages the same way, after the posts, and never mixed with them.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import ClassVar

from auditor.archive import Archive
from auditor.model import Account, Message, Post, SecurityState, SourceError


@dataclass(frozen=True)
class Detection:
    platform: str
    layout: str
    score: int  # higher wins when several sources claim the same path


@dataclass
class SourceImport:
    """What one source yields. `posts` is consumed once; coverage fields fill as it runs."""

    path: str
    platform: str
    layout: str
    posts: Iterator[Post] = iter(())
    messages: Iterator[Message] = iter(())
    accounts: dict[str, tuple[Account, SecurityState]] = field(default_factory=dict)
    files_found: list[str] = field(default_factory=list)
    files_missing: list[str] = field(default_factory=list)
    errors: list[SourceError] = field(default_factory=list)
    archive: Archive | None = None  # what the posts' media paths name; None for a live source

    def add_account(self, account: Account, security: SecurityState) -> None:
        self.accounts[account.key] = (account, security)

    def error(self, where: str, message: str) -> None:
        self.errors.append(SourceError(where, message))

    def problem(self, line: str) -> None:
        """A one-line fault of the form `where: message`, as the stream readers report them."""
        where, _, message = line.partition(": ")
        self.error(where, message)


class Source(ABC):
    name: ClassVar[str]  # the entry-point name and the --platform value
    title: ClassVar[str]  # "X/Twitter archive"

    @classmethod
    @abstractmethod
    def detect(cls, archive: Archive) -> Detection | None:
        """A Detection when this archive looks like ours, else None."""

    @abstractmethod
    def read(self, archive: Archive, detection: Detection) -> SourceImport:
        """Read the account and its security evidence now; stream the posts later."""
