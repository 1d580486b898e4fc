"""Audits every locked dependency set with pip-audit, against the advisories PyPI publishes.

`make audit` (part of `make check-deploy`) runs it with the tools of .venv-ops; GitHub Actions
runs it with --require-source. Findings that do not apply to us are listed, each with its reason,
in deploy/audit-ignore.txt. Where PyPI's advisory data cannot be reached (a machine whose network
reaches only the package index), it says "audit skipped" rather than pass: pip-audit on its own
would then report every package as "not found" and "no known vulnerabilities".
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LOCKS = [
    "requirements.txt",
    "requirements-dev.txt",
    "requirements-ops.txt",
    "requirements-infra.txt",
    "deploy/tests/requirements.txt",
]
IGNORE_FILE = ROOT / "deploy" / "audit-ignore.txt"
# What pip-audit's "pypi" service reads: one release's JSON, its advisories included (an old pip
# release stays on PyPI). A mirror of the package index alone answers 404 here.
PROBE_URL = "https://pypi.org/pypi/pip/24.0/json"


class IgnoreFileError(ValueError):
    pass


def read_ignores(text: str) -> list[str]:
    """The ids of the `--ignore-vuln ID  # reason` lines; a line without its reason is refused."""
    ids = []
    for number, line in enumerate(text.splitlines(), start=1):
        entry, _, reason = line.partition("#")
        words = entry.split()
        if not words:
            continue
        if len(words) != 2 or words[0] != "--ignore-vuln":
            raise IgnoreFileError(f"line {number}: expected '--ignore-vuln ID  # reason'")
        if not reason.strip():
            raise IgnoreFileError(f"line {number}: {words[1]} needs its reason after '#'")
        ids.append(words[1])
    return ids


def unreachable(url: str, timeout: float = 15) -> str | None:
    """Why the advisory source cannot be read, or None when it answers with package data."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            json.load(response)["info"]
    except (urllib.error.URLError, OSError, ValueError, KeyError) as error:
        return f"{url}: {error}"
    return None


@dataclass
class Verdict:
    audited: int = 0
    findings: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)

    @property
    def source_lost(self) -> bool:
        # Every package "not found": the advisory source went away during the run.
        return bool(self.skipped) and self.audited == 0


def judge(report: dict) -> Verdict:
    """Reads pip-audit's JSON report: what was audited, what was found, what was skipped."""
    verdict = Verdict()
    for dependency in report["dependencies"]:
        name = dependency["name"]
        if "skip_reason" in dependency:
            verdict.skipped.append(f"{name}: {dependency['skip_reason']}")
            continue
        verdict.audited += 1
        for vuln in dependency["vulns"]:
            fixed_in = ", ".join(vuln["fix_versions"]) or "no fixed release"
            verdict.findings.append(
                f"{name} {dependency['version']}: {vuln['id']} (fixed in: {fixed_in})"
            )
    return verdict


def audit(lock: str, ignores: list[str]) -> Verdict:
    with tempfile.TemporaryDirectory() as work:
        output = Path(work) / "report.json"
        command = [sys.executable, "-m", "pip_audit", "--requirement", str(ROOT / lock)]
        # Every package of a lock is pinned and hashed: nothing to resolve, hashes checked.
        command += ["--disable-pip", "--require-hashes", "--vulnerability-service", "pypi"]
        command += ["--progress-spinner", "off", "--format", "json", "--output", str(output)]
        for vuln in ignores:
            command += ["--ignore-vuln", vuln]
        # Exit status 1 also means "vulnerabilities found": the report tells which.
        run = subprocess.run(command, capture_output=True, text=True, timeout=600)
        if not output.exists():
            raise RuntimeError(f"pip-audit failed on {lock}:\n{run.stderr.strip()}")
        return judge(json.loads(output.read_text(encoding="utf-8")))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--require-source",
        action="store_true",
        help="fail, rather than skip, when the advisory source cannot be reached",
    )
    args = parser.parse_args(argv)
    try:
        ignores = read_ignores(IGNORE_FILE.read_text(encoding="utf-8"))
    except IgnoreFileError as error:
        print(f"{IGNORE_FILE.relative_to(ROOT)}: {error}", file=sys.stderr)
        return 1

    def skip(reason: str) -> int:
        print(f"audit skipped: advisory source unreachable ({reason})")
        return 1 if args.require_source else 0

    reason = unreachable(PROBE_URL)
    if reason:
        return skip(reason)

    failed = False
    for lock in LOCKS:
        verdict = audit(lock, ignores)
        if verdict.source_lost:
            return skip(f"every package of {lock} was reported missing from PyPI")
        problems = verdict.findings + [f"not audited: {s}" for s in verdict.skipped]
        status = "FAIL" if problems else "PASS"
        print(f"{status}  {lock}: {verdict.audited} packages audited, findings: {len(problems)}")
        for problem in problems:
            print(f"      {problem}")
        failed = failed or bool(problems)
    print(
        f"audit: {len(ignores)} known findings ignored, each explained in "
        f"{IGNORE_FILE.relative_to(ROOT)}"
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
