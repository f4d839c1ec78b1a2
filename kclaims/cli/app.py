"""The `kclaims` command line: parse arguments, call the core, render the result. No logic here.

Heavy modules (rich, the YAML libraries, requests) are imported inside the commands that need
them, so `kclaims --version` starts as fast as Typer itself.
"""

import gc
import os
import signal
from types import FrameType
from pathlib import Path
from typing import Annotated, Any, Optional

import typer
from typer.core import TyperGroup

from kclaims import __version__
from kclaims.errors import ExitCode, KclaimsError, Stopped
from kclaims.text import printable

TRACEBACK_ENV = "KCLAIMS_TRACEBACK"


class _ErrorFunnel(TyperGroup):
    """The one place that turns a core error into `path:line: message` on stderr and its exit code."""

    # ctx is click's Context, which the typer installed here vendors privately (typer._click): no public name
    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except BrokenPipeError:  # `kclaims show ID | head -1`: the reader has all it wanted
            _silence_stdout()
            raise typer.Exit(int(ExitCode.OK)) from None
        except KclaimsError as error:
            if _wants_traceback(ctx):
                raise
            typer.echo(printable(str(error) if error.path else f"error: {error.message}"), err=True)
            raise typer.Exit(int(error.exit_code)) from None
        except OSError as error:
            if _wants_traceback(ctx):
                raise
            where = f"{error.filename}: " if error.filename else ""
            typer.echo(printable(f"{where}{error.strerror or error}"), err=True)
            raise typer.Exit(int(ExitCode.BAD_INPUT)) from None
        except Stopped as stopped:
            _say(f"stopped by {stopped.name}; a write in progress was rolled back")
            raise typer.Exit(stopped.exit_code) from None
        except (typer.Exit, typer.Abort, KeyboardInterrupt, EOFError):
            raise
        except Exception as error:  # a bug: say so in one line, keep the traceback for --traceback
            if _wants_traceback(ctx) or getattr(error, "exit_code", None) is not None:
                raise
            typer.echo(printable(f"internal error: {type(error).__name__}: {error} "
                                 "(rerun with --traceback and report it)"), err=True)
            raise typer.Exit(int(ExitCode.INTERNAL)) from None


def _silence_stdout() -> None:
    """Point stdout at /dev/null, so flushing it at exit cannot raise BrokenPipeError again."""
    import sys

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # not a real file (a test runner's buffer): nothing to flush
        pass


def _say(message: str) -> None:
    try:
        typer.echo(message, err=True)
    except OSError:  # after SIGHUP the terminal may be gone: the exit code still tells
        pass


def _wants_traceback(ctx: Any) -> bool:
    return bool(ctx.params.get("traceback") or os.environ.get(TRACEBACK_ENV))


app = typer.Typer(
    cls=_ErrorFunnel,
    name="kclaims",
    help="Organise the claims articles make and the evidence behind them: quotes, sources, verdicts, reports.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=True,  # --install-completion and --show-completion, for bash, zsh, fish and PowerShell
    rich_markup_mode=None,  # plain click help: reflowed paragraphs, and no rich import for --help
    context_settings={"help_option_names": ["-h", "--help"]},
)


claim_app = typer.Typer(help="Add claims, their quotes, their evidence and a curator's grade.", no_args_is_help=True,
                        rich_markup_mode=None)


source_app = typer.Typer(help="List, show and add the sources: articles and papers.", no_args_is_help=True,
                         rich_markup_mode=None)


app.add_typer(claim_app, name="claim")


app.add_typer(source_app, name="source")


def _version(value: bool) -> None:
    if value:
        typer.echo(f"kclaims {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    ctx: typer.Context,
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                          help="Print the version and exit.")] = False,
    traceback: Annotated[bool, typer.Option(
        "--traceback", help=f"Show the Python traceback on errors, for developers (or set {TRACEBACK_ENV}=1).")] = False,
    catalog: Annotated[Optional[Path], typer.Option(
        "--catalog", "-C", file_okay=False, show_default=False,
        help="Catalog folder for the command that follows (as its own --catalog): kclaims -C DIR list.")] = None,
) -> None:
    """Organise the claims articles make and the evidence behind them.

    Exit codes: 0 ok, 1 `check` found problems, 2 bad input or usage, 3 network failure,
    70 a bug in kclaims, 71 the system stopped it (a worker process killed), 130 stopped by Ctrl-C,
    129 by SIGHUP, 143 by SIGTERM (a stopped command's writes are rolled back).
    """
    if catalog is not None:  # the commands read --catalog, else KCLAIMS_CATALOG: lend it for this run
        _lend_environment(ctx, CATALOG_ENV, str(catalog))


CATALOG_ENV = "KCLAIMS_CATALOG"


def _lend_environment(ctx: typer.Context, name: str, value: str) -> None:
    """Set an environment variable until the command ends (kclaims may run in-process, in tests)."""
    previous = os.environ.get(name)
    os.environ[name] = value

    def give_back() -> None:
        if previous is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = previous

    ctx.call_on_close(give_back)


STOP_SIGNALS = ("SIGTERM", "SIGHUP")  # stopped like Ctrl-C: the write in progress rolls back


def stop_like_ctrl_c(signum: int, frame: FrameType | None) -> None:
    """Raise `Stopped` (a KeyboardInterrupt) for the first stop signal; ignore any that follow, so a
    second signal cannot cut short the roll-back the first one started."""
    for name in STOP_SIGNALS:
        signal.signal(getattr(signal, name), signal.SIG_IGN)
    raise Stopped(signum)


def install_stop_handlers() -> None:
    """Treat SIGTERM and SIGHUP as Ctrl-C (where the platform has them; not when they were ignored
    on purpose, as `nohup` ignores SIGHUP)."""
    for name in STOP_SIGNALS:
        number = getattr(signal, name, None)
        if number is not None and signal.getsignal(number) is not signal.SIG_IGN:
            signal.signal(number, stop_like_ctrl_c)


def run() -> None:
    """Console-script entry point."""
    install_stop_handlers()
    # A short-lived process that builds tens of thousands of small objects and no cycles worth
    # collecting: the cyclic collector's repeated scans would cost more than the memory it frees.
    gc.disable()
    app(prog_name="kclaims")
