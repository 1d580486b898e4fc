"""Properties of the GitHub workflows: pinned actions, least privilege, deploy order."""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

yaml = pytest.importorskip("yaml", reason="PyYAML lives in .venv-infra/hcl")

WORKFLOWS = Path(__file__).resolve().parents[2] / ".github" / "workflows"
USES = re.compile(r"^\s*(?:-\s+)?uses:\s*(?P<ref>\S+)(?P<rest>.*)$")
PINNED = re.compile(r"^[\w.-]+/[\w./-]+@[0-9a-f]{40}$")
VERSION_COMMENT = re.compile(r"^\s+#\s*v\d+(\.\d+)*\s*$")
AWS_CREDENTIALS = "aws-actions/configure-aws-credentials@"


def load(name: str) -> dict[str, Any]:
    return yaml.safe_load((WORKFLOWS / name).read_text(encoding="utf-8"))


def triggers(workflow: dict[str, Any]) -> dict[str, Any]:
    # YAML 1.1 reads the bare key `on` as boolean true.
    value = workflow.get("on", workflow.get(True)) or {}
    return value if isinstance(value, dict) else {t: None for t in value}


def steps_text(job: dict[str, Any]) -> list[str]:
    return [f"{s.get('uses', '')} {s.get('run', '')}" for s in job.get("steps", [])]


def step_index(job: dict[str, Any], needle: str) -> int:
    for index, text in enumerate(steps_text(job)):
        if needle in text:
            return index
    return -1


def check_pinned(text: str) -> list[str]:
    """Every remote action is pinned to a full commit SHA with a `# vX.Y.Z` comment."""
    problems = []
    for number, line in enumerate(text.splitlines(), start=1):
        match = USES.match(line)
        if not match or match.group("ref").startswith(("./", "docker://")):
            continue
        if not PINNED.match(match.group("ref")):
            problems.append(f"line {number}: {match.group('ref')} is not pinned to a commit SHA")
        elif not VERSION_COMMENT.match(match.group("rest")):
            problems.append(f"line {number}: pinned action needs a '# vX.Y.Z' comment")
    return problems


def check_permissions(workflow: dict[str, Any]) -> list[str]:
    """Read-only token by default; id-token only where AWS credentials are configured."""
    problems = []
    if workflow.get("permissions") != {"contents": "read"}:
        problems.append("top-level permissions must be exactly contents: read")
    for name, job in workflow.get("jobs", {}).items():
        permissions = job.get("permissions", {})
        if permissions == "write-all" or not isinstance(permissions, dict):
            problems.append(f"job {name}: permissions must be a mapping")
            continue
        writes = {k for k, v in permissions.items() if v == "write"}
        if writes - {"id-token"}:
            problems.append(f"job {name}: unexpected write permissions {sorted(writes)}")
        uses_aws = any(AWS_CREDENTIALS in t for t in steps_text(job))
        if "id-token" in writes and not uses_aws:
            problems.append(f"job {name}: id-token: write without AWS OIDC")
        if uses_aws and "id-token" not in writes:
            problems.append(f"job {name}: AWS OIDC needs id-token: write")
    return problems


def check_deploy(workflow: dict[str, Any]) -> list[str]:
    problems = []
    on = triggers(workflow)
    if (on.get("push") or {}).get("branches") != ["main"] or "workflow_dispatch" not in on:
        problems.append("deploy must run on push to main and on workflow_dispatch")
    concurrency = workflow.get("concurrency") or {}
    if not concurrency.get("group") or concurrency.get("cancel-in-progress") is not False:
        problems.append("deploys must share a concurrency group without cancelling")
    jobs = workflow.get("jobs", {})
    for env in ("staging", "production"):
        job = jobs.get(env)
        if job is None:
            problems.append(f"job {env} is missing")
            continue
        environment = job.get("environment")
        name = environment.get("name") if isinstance(environment, dict) else environment
        if name != env:
            problems.append(f"job {env} must run in the GitHub environment {env}")
        for step in job.get("steps", []):
            if AWS_CREDENTIALS in step.get("uses", ""):
                inputs = step.get("with", {})
                if "aws-access-key-id" in inputs or "role-to-assume" not in inputs:
                    problems.append(f"job {env}: AWS access must be OIDC role assumption")
        order = [
            step_index(job, "push-image"),
            step_index(job, "manage.py migrate"),
            step_index(job, "manage.py collectstatic"),
            step_index(job, "deploy-service"),
            step_index(job, "invalidate"),
        ]
        if -1 in order or order != sorted(order):
            problems.append(f"job {env}: expected push, migrate, collectstatic, deploy, invalidate")
    production = jobs.get("production", {})
    needs = production.get("needs", [])
    needs = [needs] if isinstance(needs, str) else needs
    if "staging" not in needs:
        problems.append("production must wait for staging")
    return problems


def check_ci(workflow: dict[str, Any]) -> list[str]:
    problems = []
    on = triggers(workflow)
    if "push" not in on or "pull_request" not in on:
        problems.append("CI must run on push and pull_request")
    jobs = workflow.get("jobs", {}).values()
    test_jobs = [j for j in jobs if any("make test" in t for t in steps_text(j))]
    if not test_jobs:
        problems.append("no job runs make test")
    for job in test_jobs:
        image = str(job.get("services", {}).get("postgres", {}).get("image", ""))
        if not re.fullmatch(r"postgres:16(\.\d+)?(-[\w.]+)?", image):
            problems.append("make test needs a PostgreSQL 16 service container")
        env = job.get("env", {})
        if str(env.get("CI")).lower() != "true" or "DATABASE_URL" not in env:
            problems.append("make test needs CI=true and DATABASE_URL")
        if not any("apt-get install" in t and "chromium" in t for t in steps_text(job)):
            problems.append("make test needs Debian's chromium from apt")
    if not any("bash deploy/check-infra.sh" in t for j in jobs for t in steps_text(j)):
        problems.append("no job runs deploy/check-infra.sh")
    return problems


# ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["ci.yml", "deploy.yml"])
def test_actions_pinned(name):
    assert check_pinned((WORKFLOWS / name).read_text(encoding="utf-8")) == []


@pytest.mark.parametrize("name", ["ci.yml", "deploy.yml"])
def test_least_privilege(name):
    assert check_permissions(load(name)) == []


def test_deploy_workflow():
    assert check_deploy(load("deploy.yml")) == []


def test_ci_workflow():
    assert check_ci(load("ci.yml")) == []


def test_pin_check_catches_tags():
    assert check_pinned("      - uses: actions/checkout@v4\n")
    assert check_pinned("      - uses: actions/checkout@" + "a" * 40 + "\n")  # no version comment
    assert check_pinned("      - uses: actions/checkout@" + "a" * 40 + " # v4.2.2\n") == []


def job(workflow: dict[str, Any], name: str) -> dict[str, Any]:
    return workflow["jobs"][name]


def swap_steps(workflow: dict[str, Any], first: str, second: str) -> None:
    steps = job(workflow, "production")["steps"]
    a = next(i for i, s in enumerate(steps) if first in str(s.get("run", "")))
    b = next(i for i, s in enumerate(steps) if second in str(s.get("run", "")))
    steps[a], steps[b] = steps[b], steps[a]


DEPLOY_MUTATIONS: list[tuple[str, Callable[[dict[str, Any]], Any], Callable[..., list[str]]]] = [
    (
        "production-without-approval-environment",
        lambda w: job(w, "production").pop("environment"),
        check_deploy,
    ),
    (
        "production-not-after-staging",
        lambda w: job(w, "production").update(needs=["build"]),
        check_deploy,
    ),
    (
        "deploy-before-migrate",
        lambda w: swap_steps(w, "manage.py migrate", "deploy-service"),
        check_deploy,
    ),
    (
        "cancelling-deploys",
        lambda w: w["concurrency"].update({"cancel-in-progress": True}),
        check_deploy,
    ),
    ("write-all-token", lambda w: w.update(permissions="write-all"), check_permissions),
    (
        "id-token-everywhere",
        lambda w: job(w, "build").update(permissions={"id-token": "write"}),
        check_permissions,
    ),
]


@pytest.mark.parametrize(
    ("mutate", "check"),
    [(m, c) for _, m, c in DEPLOY_MUTATIONS],
    ids=[i for i, _, _ in DEPLOY_MUTATIONS],
)
def test_deploy_checks_catch_mutation(mutate, check):
    broken = copy.deepcopy(load("deploy.yml"))
    mutate(broken)
    assert check(broken)


def test_ci_check_catches_missing_infra_job():
    broken = copy.deepcopy(load("ci.yml"))
    broken["jobs"].pop("infra")
    assert check_ci(broken)


def test_ci_check_catches_old_postgres():
    broken = copy.deepcopy(load("ci.yml"))
    broken["jobs"]["test"]["services"]["postgres"]["image"] = "postgres:15"
    assert check_ci(broken)
