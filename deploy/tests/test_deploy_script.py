"""deploy/terraform/scripts/deploy.sh against a fake `aws` CLI: exit codes and rollbacks."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[1] / "terraform" / "scripts" / "deploy.sh"

pytestmark = pytest.mark.skipif(
    shutil.which("jq") is None or shutil.which("bash") is None, reason="needs bash and jq"
)

CONFIG = {
    "environment": "staging",
    "region": "eu-west-1",
    "app_url": "https://staging.example.test",
    "ecr_repository_url": "123456789012.dkr.ecr.eu-west-1.amazonaws.com/splitclone-staging",
    "ecr_repository_name": "splitclone-staging",
    "cluster": "splitclone-staging",
    "service": "splitclone-staging-app",
    "app_task_family": "splitclone-staging-app",
    "worker_service": "splitclone-staging-worker",
    "worker_task_family": "splitclone-staging-worker",
    "manage_task_family": "splitclone-staging-manage",
    "app_log_group": "/ecs/splitclone-staging/app",
    "private_subnet_ids": ["subnet-a", "subnet-b"],
    "task_security_group_id": "sg-tasks",
    "cloudfront_distribution": "E123",
    "grafana_workspace_id": "",
    "grafana_endpoint": "",
    "grafana_service_account": "",
    "prometheus_query_endpoint": "https://aps.example.test/workspaces/ws-1",
}

# A stand-in for the AWS CLI: records every call, answers from files in $FAKE_DIR.
FAKE_AWS = r"""#!/usr/bin/env bash
set -euo pipefail
echo "$*" >>"$FAKE_DIR/calls"
case "$1 $2" in
  "ssm get-parameter") cat "$FAKE_DIR/config.json" ;;
  "ecs describe-task-definition")
    family=""
    while [ $# -gt 0 ]; do [ "$1" = "--task-definition" ] && family=$2; shift; done
    taskdef="$FAKE_DIR/taskdef-$family.json"
    [ -f "$taskdef" ] || taskdef="$FAKE_DIR/taskdef.json"
    jq --arg f "$family" '.family = $f' "$taskdef" ;;
  "ecs register-task-definition")
    spec=""
    while [ $# -gt 0 ]; do [ "$1" = "--cli-input-json" ] && spec=${2#file://}; shift; done
    family=$(jq -r .family "$spec")
    cp "$spec" "$FAKE_DIR/registered-$family.json"
    echo "arn:aws:ecs:eu-west-1:123456789012:task-definition/$family:42" ;;
  "ecs run-task")
    while [ $# -gt 0 ]; do
      [ "$1" = "--overrides" ] && echo "$2" >"$FAKE_DIR/overrides.json"
      shift
    done
    cat "$FAKE_DIR/run-task.json" ;;
  "ecs wait") exit "${FAKE_WAIT_RC:-0}" ;;
  "ecs describe-tasks")
    jq -n --argjson code "${FAKE_EXIT_CODE:-null}" \
      '{tasks: [{stoppedReason: "Essential container in task exited",
                 containers: [{name: "app", exitCode: $code}]}]}' ;;
  "logs get-log-events") printf 'Applying migrations...\tOK\n' ;;
  "ecs update-service") echo "updated" ;;
  "ecs describe-services")
    # The worker service answers from FAKE_WORKER_*, the app service from FAKE_*.
    case "$*" in
      *-worker*) printf '%s\t%s\n' "$FAKE_WORKER_PRIMARY" "${FAKE_WORKER_ROLLOUT:-COMPLETED}" ;;
      *) printf '%s\t%s\n' "$FAKE_PRIMARY" "${FAKE_ROLLOUT:-COMPLETED}" ;;
    esac ;;
  "cloudfront create-invalidation") echo "I2ABC" ;;
  *) echo "fake aws: unexpected call: $*" >&2; exit 3 ;;
esac
"""

TASKDEF = {
    "taskDefinitionArn": "arn:aws:ecs:eu-west-1:123456789012:task-definition/x:41",
    "revision": 41,
    "status": "ACTIVE",
    "requiresAttributes": [{"name": "ecs.capability.secrets.asm.environment-variables"}],
    "compatibilities": ["EC2", "FARGATE"],
    "registeredAt": "2026-01-01T00:00:00Z",
    "registeredBy": "arn:aws:sts::123456789012:assumed-role/terraform",
    "family": "x",
    "networkMode": "awsvpc",
    "cpu": "512",
    "memory": "1024",
    "containerDefinitions": [
        {"name": "app", "image": "repo:old", "readonlyRootFilesystem": True},
        {"name": "adot-collector", "image": "public.ecr.aws/aws-otel-collector:v0.43.3"},
    ],
}

APP_ARN = "arn:aws:ecs:eu-west-1:123456789012:task-definition/splitclone-staging-app:42"
WORKER_ARN = "arn:aws:ecs:eu-west-1:123456789012:task-definition/splitclone-staging-worker:42"


@pytest.fixture
def fake(tmp_path, monkeypatch):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    aws = bin_dir / "aws"
    aws.write_text(FAKE_AWS)
    aws.chmod(0o755)
    (tmp_path / "config.json").write_text(json.dumps(CONFIG))
    (tmp_path / "taskdef.json").write_text(json.dumps(TASKDEF))
    (tmp_path / "run-task.json").write_text(
        json.dumps(
            {"tasks": [{"taskArn": "arn:aws:ecs:eu-west-1:1:task/c/0123abcd"}], "failures": []}
        )
    )
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("FAKE_DIR", str(tmp_path))
    monkeypatch.setenv("DEPLOY_CONFIG_PARAMETER", "/splitclone-staging/deploy-config")
    monkeypatch.delenv("DEPLOY_CONFIG_FILE", raising=False)
    monkeypatch.delenv("AWS_REGION", raising=False)
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    return tmp_path


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", str(SCRIPT), *args], capture_output=True, text=True, timeout=60, check=False
    )


def test_register_swaps_only_the_app_image(fake):
    result = run("register", "abc123")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        f"app={APP_ARN}",
        f"worker={WORKER_ARN}",
        "manage=arn:aws:ecs:eu-west-1:123456789012:task-definition/splitclone-staging-manage:42",
    ]
    spec = json.loads((fake / "registered-splitclone-staging-app.json").read_text())
    images = {c["name"]: c["image"] for c in spec["containerDefinitions"]}
    assert images["app"] == f"{CONFIG['ecr_repository_url']}:abc123"
    assert images["adot-collector"].endswith("aws-otel-collector:v0.43.3")
    for key in ("taskDefinitionArn", "revision", "status", "requiresAttributes", "registeredAt"):
        assert key not in spec


def test_register_swaps_the_worker_image(fake):
    worker = {
        **TASKDEF,
        "containerDefinitions": [
            {
                "name": "worker",
                "image": "repo:old",
                "command": ["python", "manage.py", "run_worker"],
            },
            TASKDEF["containerDefinitions"][1],
        ],
    }
    (fake / "taskdef-splitclone-staging-worker.json").write_text(json.dumps(worker))

    result = run("register", "abc123")

    assert result.returncode == 0, result.stderr
    spec = json.loads((fake / "registered-splitclone-staging-worker.json").read_text())
    images = {c["name"]: c["image"] for c in spec["containerDefinitions"]}
    assert images["worker"] == f"{CONFIG['ecr_repository_url']}:abc123"
    assert images["adot-collector"].endswith("aws-otel-collector:v0.43.3")
    assert spec["containerDefinitions"][0]["command"][-1] == "run_worker"


def test_migration_success(fake, monkeypatch):
    monkeypatch.setenv("FAKE_EXIT_CODE", "0")
    result = run("run-task", "td-arn", "python", "manage.py", "migrate", "--noinput")
    assert result.returncode == 0, result.stderr
    overrides = json.loads((fake / "overrides.json").read_text())
    assert overrides == {
        "containerOverrides": [
            {"name": "app", "command": ["python", "manage.py", "migrate", "--noinput"]}
        ]
    }
    calls = (fake / "calls").read_text()
    assert "ecs wait tasks-stopped" in calls
    assert "manage/app/0123abcd" in calls
    assert "Applying migrations..." in result.stderr


def test_migration_failure_fails_the_step(fake, monkeypatch):
    monkeypatch.setenv("FAKE_EXIT_CODE", "1")
    result = run("run-task", "td-arn", "python", "manage.py", "migrate", "--noinput")
    assert result.returncode != 0
    assert "::error::one-off task failed: exit code 1" in result.stderr


def test_container_that_never_ran_fails(fake, monkeypatch):
    monkeypatch.delenv("FAKE_EXIT_CODE", raising=False)
    result = run("run-task", "-")
    assert result.returncode != 0
    assert "exit code none" in result.stderr


def test_run_task_placement_failure(fake):
    (fake / "run-task.json").write_text(
        json.dumps({"tasks": [], "failures": [{"reason": "RESOURCE:MEMORY"}]})
    )
    result = run("run-task", "td-arn")
    assert result.returncode != 0
    assert "RESOURCE:MEMORY" in result.stderr


def service_calls(fake):
    """The update and wait calls of a deploy, in order, as (command, service, task definition)."""
    calls = []
    for line in (fake / "calls").read_text().splitlines():
        words = line.split()
        if words[:2] == ["ecs", "update-service"]:
            service = words[words.index("--service") + 1]
            calls.append(("update", service, words[words.index("--task-definition") + 1]))
        elif words[:3] == ["ecs", "wait", "services-stable"]:
            calls.append(("wait", words[words.index("--services") + 1], ""))
    return calls


def test_deploy_service_rolls_the_app_then_the_worker(fake, monkeypatch):
    monkeypatch.setenv("FAKE_PRIMARY", APP_ARN)
    monkeypatch.setenv("FAKE_WORKER_PRIMARY", WORKER_ARN)

    result = run("deploy-service", APP_ARN, WORKER_ARN)

    assert result.returncode == 0, result.stderr
    assert service_calls(fake) == [
        ("update", "splitclone-staging-app", APP_ARN),
        ("wait", "splitclone-staging-app", ""),
        ("update", "splitclone-staging-worker", WORKER_ARN),
        ("wait", "splitclone-staging-worker", ""),
    ]


def test_deploy_service_needs_the_worker_revision(fake, monkeypatch):
    monkeypatch.setenv("FAKE_PRIMARY", APP_ARN)
    result = run("deploy-service", APP_ARN)
    assert result.returncode != 0
    assert "worker task definition arn" in result.stderr
    assert not (fake / "calls").exists()


def test_deploy_service_rolled_back_by_circuit_breaker(fake, monkeypatch):
    monkeypatch.setenv("FAKE_PRIMARY", APP_ARN.replace(":42", ":41"))
    result = run("deploy-service", APP_ARN, WORKER_ARN)
    assert result.returncode != 0
    assert "deployment of splitclone-staging-app failed and was rolled back" in result.stderr
    # A web image that never became healthy does not reach the worker.
    assert ("update", "splitclone-staging-worker", WORKER_ARN) not in service_calls(fake)


def test_deploy_service_worker_rolled_back(fake, monkeypatch):
    monkeypatch.setenv("FAKE_PRIMARY", APP_ARN)
    monkeypatch.setenv("FAKE_WORKER_PRIMARY", WORKER_ARN.replace(":42", ":41"))
    result = run("deploy-service", APP_ARN, WORKER_ARN)
    assert result.returncode != 0
    assert "deployment of splitclone-staging-worker failed and was rolled back" in result.stderr


def test_deploy_service_rollout_failed(fake, monkeypatch):
    monkeypatch.setenv("FAKE_PRIMARY", APP_ARN)
    monkeypatch.setenv("FAKE_ROLLOUT", "FAILED")
    result = run("deploy-service", APP_ARN, WORKER_ARN)
    assert result.returncode != 0


def test_grafana_disabled_is_skipped(fake):
    result = run("grafana-import", str(fake))
    assert result.returncode == 0, result.stderr
    assert "skipping dashboards" in result.stderr


def test_register_rejects_odd_tags(fake):
    result = run("register", "abc; rm -rf /")
    assert result.returncode != 0
    assert "invalid image tag" in result.stderr
    assert not (fake / "calls").exists()


def test_unknown_command():
    assert run("frobnicate").returncode == 2
