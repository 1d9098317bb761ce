"""Exceptions that become one-line messages for the user."""

from __future__ import annotations


class AuditorError(Exception):
    """Base of every error the CLI turns into one line (and a traceback only with --debug)."""


class InputError(AuditorError):
    """Something the user gave us cannot be read: names the file and says what to do."""

    def __init__(self, where: str, message: str) -> None:
        super().__init__(f"{where}: {message}")
        self.where = where
        self.message = message


class ConfigError(AuditorError):
    """The config file is invalid; carries every problem found, each with its key path."""

    def __init__(self, path: str, problems: list[str]) -> None:
        lines = "\n".join(f"  {p}" for p in problems)
        super().__init__(f"{path}: invalid config\n{lines}")
        self.path = path
        self.problems = problems


class PluginError(AuditorError):
    """A check, source or report plugin could not be loaded or has bad metadata."""
