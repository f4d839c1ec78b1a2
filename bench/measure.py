"""Run one command as a child process and measure it: wall-clock seconds and peak memory (max RSS).

On Linux a child's max RSS starts at its parent's: fork copies the parent's resident pages and
exec keeps the larger high-water mark, so a `python -c pass` started by a bench holding 300 MB
reports 300 MB. So the command is started by a small launcher (`python -I -S`, about 8 MB, under
any Python command's own peak), which spawns it, reaps it with os.wait4 (that child's own peak,
not the largest of every child so far, as getrusage(RUSAGE_CHILDREN) would give) and times it
from spawn to reap, so the launcher's own start-up is not counted. The command's standard input
and output are /dev/null (not a terminal, as in a script); its standard error is kept, for the
failure message.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from dataclasses import dataclass

LAUNCHER = """
import os, sys, time
null = [(os.POSIX_SPAWN_OPEN, 0, os.devnull, os.O_RDONLY, 0), (os.POSIX_SPAWN_OPEN, 1, os.devnull, os.O_WRONLY, 0)]
start = time.perf_counter()
pid = os.posix_spawnp(sys.argv[1], sys.argv[1:], os.environ, file_actions=null)
_, status, usage = os.wait4(pid, 0)
print(time.perf_counter() - start, usage.ru_maxrss, os.waitstatus_to_exitcode(status))
"""
MAXRSS_PER_MB = 1024 * 1024 if sys.platform == "darwin" else 1024  # ru_maxrss: bytes on macOS, KiB on Linux


@dataclass(frozen=True)
class Result:
    seconds: float
    peak_mb: float  # max resident set size, MiB
    returncode: int
    stderr: str

    def failure(self, ok_codes: tuple[int, ...]) -> str | None:
        """What went wrong, if the exit status is not one of `ok_codes`."""
        if self.returncode in ok_codes:
            return None
        return f"exit status {self.returncode}; stderr ends:\n{self.stderr[-1500:].rstrip()}"


def run_once(argv: list[str], env: dict[str, str]) -> Result:
    with tempfile.TemporaryFile() as stderr:
        done = subprocess.run([sys.executable, "-I", "-S", "-c", LAUNCHER, *argv], stdin=subprocess.DEVNULL,
                              stdout=subprocess.PIPE, stderr=stderr, env=env, text=True)
        stderr.seek(0)
        text = stderr.read().decode("utf-8", "replace")
    try:
        seconds, maxrss, returncode = done.stdout.split()
    except ValueError:  # the launcher itself failed (e.g. no such program)
        return Result(0.0, 0.0, done.returncode or -1, text + done.stdout)
    return Result(float(seconds), int(maxrss) / MAXRSS_PER_MB, int(returncode), text)
