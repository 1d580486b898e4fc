"""Instructions the app's process executes, counted by valgrind's callgrind.

A count does not move with what else the machine is doing, where CPU milliseconds on a shared
machine move by a third from one run to the next, so two versions of the code compare exactly.
It counts the Python process alone: a PostgreSQL backend is another process.

`counting(argv)` runs a script again under callgrind with instrumentation off, so that seeding
runs at a few times native speed, and returns {label: instructions} once it has finished. In
that run, `measured(label)` counts what its block executes: it switches instrumentation on and
dumps the count at the end, through callgrind's client requests, which only C can make (a
small library built with the machine's C compiler and valgrind's headers on first use).
"""

import contextlib
import ctypes
import hashlib
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

MARKS = r"""
#include <valgrind/callgrind.h>
int splitclone_on_valgrind(void) { return RUNNING_ON_VALGRIND; }
void splitclone_start(void) { CALLGRIND_ZERO_STATS; CALLGRIND_START_INSTRUMENTATION; }
void splitclone_stop(const char *label) {
    CALLGRIND_DUMP_STATS_AT(label);
    CALLGRIND_STOP_INSTRUMENTATION;
}
"""
COUNTING = "SPLITCLONE_COUNTING_INSTRUCTIONS"


def _marks():
    digest = hashlib.sha256(MARKS.encode()).hexdigest()[:12]
    library = Path(tempfile.gettempdir()) / f"splitclone-callgrind-{digest}.so"
    if not library.exists():
        source = library.with_suffix(".c")
        source.write_text(MARKS)
        built = library.with_suffix(f".{os.getpid()}.so")
        subprocess.run(["cc", "-shared", "-fPIC", "-O2", "-o", built, source], check=True)
        built.replace(library)
    return ctypes.CDLL(str(library))


def is_counting():
    """Whether this process is the run under callgrind that `counting` started."""
    return os.environ.get(COUNTING) == "1"


@contextlib.contextmanager
def measured(label):
    marks = _marks()
    if not marks.splitclone_on_valgrind():
        raise RuntimeError("not running under valgrind: start the script through counting()")
    marks.splitclone_start()
    try:
        yield
    finally:
        marks.splitclone_stop(label.encode())


def counting(argv):
    """{label: instructions counted} by each `measured` block of ``python argv`` under
    callgrind, in the order the blocks ran."""
    _marks()  # built before valgrind starts, by this process
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "callgrind.out"
        command = [
            "valgrind",
            "--tool=callgrind",
            "--instr-atstart=no",
            "--quiet",
            f"--callgrind-out-file={out}",
            sys.executable,
            *argv,
        ]
        # A fixed hash seed: the same sets and dicts, in the same order, in every run.
        environment = {**os.environ, COUNTING: "1", "PYTHONHASHSEED": "0"}
        subprocess.run(command, check=True, env=environment)
        counts = {}
        dumps = sorted(Path(folder).glob("callgrind.out.*"), key=lambda p: int(p.suffix[1:]))
        for dump in dumps:
            text = dump.read_text(errors="replace")
            label = re.search(r"^desc: Trigger: Client Request: (.*)$", text, re.M).group(1)
            counts[label] = int(re.search(r"^(?:summary|totals): (\d+)", text, re.M).group(1))
        return counts
