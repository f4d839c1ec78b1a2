"""Exit codes and the exceptions the core raises; the CLI turns them into one line and a code."""

from __future__ import annotations

import enum
import signal
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


NOTHING_WRITTEN = "Nothing was written"  # how a failed command ends its message: the catalog is as it was


class ExitCode(enum.IntEnum):
    OK = 0
    PROBLEMS_FOUND = 1
    BAD_INPUT = 2
    NETWORK = 3
    INTERNAL = 70  # a bug in kclaims (BSD's EX_SOFTWARE); run with --traceback to see it
    SYSTEM = 71  # the system failed the command (BSD's EX_OSERR): a worker process killed, out of memory
    HANGUP = 129  # 128 + SIGHUP: the terminal went away; stopped and rolled back like Ctrl-C
    INTERRUPTED = 130  # 128 + SIGINT: stopped by Ctrl-C (what was accepted before stays written)
    TERMINATED = 143  # 128 + SIGTERM: asked to stop (kill, a service manager); rolled back like Ctrl-C


class Stopped(KeyboardInterrupt):
    """A stop signal (SIGTERM, SIGHUP) raised as Ctrl-C is: every `except KeyboardInterrupt` that
    rolls a write back rolls this back too. The CLI installs the handlers; `exit_code` is 128 + the
    signal's number, as shells report a process the signal killed."""

    def __init__(self, signum: int):
        super().__init__(signum)
        self.signum = signum
        self.name = signal.Signals(signum).name
        self.exit_code = 128 + signum


STOP_SIGNALS = tuple(getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, name))


@contextmanager
def stop_signals_held() -> Iterator[None]:
    """Hold Ctrl-C, SIGTERM and SIGHUP until the block ends (where the platform can), so a stop
    lands after it, never halfway through."""
    if not hasattr(signal, "pthread_sigmask"):
        yield
        return
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


class KclaimsError(Exception):
    """Base of every error the core raises on purpose: a message, an optional place, a code."""

    exit_code = ExitCode.BAD_INPUT

    def __init__(self, message: str, path: Path | str | None = None, line: int | None = None):
        super().__init__(message)
        self.message = message
        self.path = path
        self.line = line

    def __str__(self) -> str:
        if self.path is None:
            return self.message
        where = f"{self.path}:{self.line}" if self.line else f"{self.path}"
        return f"{where}: {self.message}"


class BadInput(KclaimsError):
    """Input the user can fix: a malformed file, an unknown id, an invalid value."""


class CatalogNotFound(BadInput):
    """No catalog folder could be found."""


class ConflictError(BadInput):
    """A file changed on disk after kclaims read it; writing would lose someone's edit."""


class NetworkError(KclaimsError):
    """A remote service could not be reached or kept failing after retries."""

    exit_code = ExitCode.NETWORK


class Problem:
    """One thing `check` (or a lenient load) found wrong, with where it is."""

    __slots__ = ("path", "line", "message")

    def __init__(self, path: Path | str, line: int | None, message: str):
        self.path = path
        self.line = line
        self.message = message

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else f"{self.path}"
        return f"{where}: {self.message}"

    def __repr__(self) -> str:
        return f"Problem({str(self)!r})"
