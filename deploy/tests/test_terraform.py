"""Security properties of deploy/terraform, and proof that each check can fail."""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from typing import Any

import pytest

hcl2 = pytest.importorskip("hcl2", reason="python-hcl2 lives in .venv-infra/hcl")

import infra_checks as ic  # noqa: E402 - only importable once hcl2 is present

TF_FILES = sorted(ic.TERRAFORM_ROOT.rglob("*.tf"))


@pytest.fixture(scope="module")
def tree() -> ic.Tree:
    return ic.load_tree()


def test_terraform_files_exist():
    assert len(TF_FILES) > 40, "deploy/terraform looks empty"


@pytest.mark.parametrize(
    "path", TF_FILES, ids=[str(p.relative_to(ic.TERRAFORM_ROOT)) for p in TF_FILES]
)
def test_every_tf_file_parses(path):
    parsed = ic.parse_file(path)
    assert isinstance(parsed, dict)


@pytest.mark.parametrize("check", ic.ALL_CHECKS, ids=[c.__name__ for c in ic.ALL_CHECKS])
def test_property_holds(tree, check):
    assert check(tree) == []


# ---------------------------------------------------------------------------
# Mutations: a broken copy of the tree must be reported by the matching check.
# ---------------------------------------------------------------------------


def resource(stack: ic.Stack, rtype: str, name: str) -> dict[str, Any]:
    body = stack.resources(rtype).get(name)
    assert body is not None, f"{rtype}.{name} not found in {stack.path}"
    return body


def add_resource(stack: ic.Stack, rtype: str, name: str, body: dict[str, Any]) -> None:
    stack.blocks.setdefault("resource", []).append({rtype: {name: body}})


def remove_resource(stack: ic.Stack, rtype: str, name: str) -> None:
    for entry in stack.blocks.get("resource", []):
        entry.get(rtype, {}).pop(name, None)


def world_rule(security_group: str, port: int) -> dict[str, Any]:
    return {
        "security_group_id": f"${{{security_group}}}",
        "ip_protocol": "tcp",
        "from_port": port,
        "to_port": port,
        "cidr_ipv4": "0.0.0.0/0",
    }


def db(t: ic.Tree) -> dict[str, Any]:
    return resource(t.modules["rds"], "aws_db_instance", "this")


def call(t: ic.Tree, env: str) -> dict[str, Any]:
    """The environment's `module "stack"` block."""
    return t.environments[env].modules()["stack"]


def prod(t: ic.Tree) -> dict[str, Any]:
    return call(t, "production")


def in_stack(t: ic.Tree, module: str) -> dict[str, Any]:
    """A module call inside modules/stack."""
    return t.modules["stack"].modules()[module]


def drop_force_ssl(t: ic.Tree) -> None:
    for group in t.modules["rds"].resources("aws_db_parameter_group").values():
        group["parameter"] = [p for p in group["parameter"] if p["name"] != "rds.force_ssl"]


def metrics_rule(t: ic.Tree) -> dict[str, Any]:
    return resource(t.modules["alb"], "aws_lb_listener_rule", "block_metrics")


def deploy_trust_wildcard(t: ic.Tree) -> None:
    iam = t.modules["iam"]
    for entry in iam.blocks["data"]:
        doc = entry.get("aws_iam_policy_document", {}).get("deploy_assume")
        if doc:
            for condition in doc["statement"][0]["condition"]:
                if condition["variable"].endswith(":sub"):
                    condition["test"] = "StringLike"
                    condition["values"] = ["repo:${var.github_repository}:*"]


def aws_provider(t: ic.Tree, label: str) -> dict[str, Any]:
    stack = dict(t.stacks())[label]
    return stack.terraform_blocks()[0]["required_providers"][0]["aws"]


def backend(t: ic.Tree, env: str) -> dict[str, Any]:
    return t.environments[env].terraform_blocks()[0]["backend"][0]["s3"]


def policy(t: ic.Tree, module: str, name: str) -> dict[str, Any]:
    return ic.policy_documents(t.modules[module])[name]


def drop_worker_from_deploy_config(t: ic.Tree) -> None:
    parameter = t.modules["stack"].resources("aws_ssm_parameter")["deploy_config"]
    kept = re.sub(r"worker_\w+ = module\.ecs\.worker_\w+,\s*", "", parameter["value"])
    assert kept != parameter["value"]
    parameter["value"] = kept


def statement(t: ic.Tree, module: str, name: str, sid: str) -> dict[str, Any]:
    for candidate in policy(t, module, name)["statement"]:
        if candidate.get("sid") == sid:
            return candidate
    raise AssertionError(f"no statement {sid} in {module} {name}")


def drop_comments(body: dict[str, Any]) -> None:
    for key in ic.COMMENT_KEYS:
        body.pop(key, None)


def log_groups_by_count(t: ic.Tree) -> None:
    """The same three log groups, numbered instead of named: other state addresses."""
    groups = resource(t.modules["logs"], "aws_cloudwatch_log_group", "tasks")
    groups.pop("for_each")
    groups["count"] = 3


def tasks_group_renamed(t: ic.Tree) -> None:
    """The tasks' group under a new name, without a moved block from the old one."""
    remove_resource(t.modules["network"], "aws_security_group", "tasks")
    add_resource(t.modules["network"], "aws_security_group", "tasks_v2", {"name": "tasks"})


def deploy_passes_bootstrap_role(t: ic.Tree) -> None:
    statement(t, "iam", "deploy", "PassTaskRoles")["resources"].append(
        "${aws_iam_role.db_bootstrap_execution.arn}"
    )


MUTATIONS: list[tuple[str, Callable[[ic.Tree], None], Callable[[ic.Tree], list[str]]]] = [
    # database
    ("rds-public", lambda t: db(t).update(publicly_accessible=True), ic.check_database),
    ("rds-unencrypted", lambda t: db(t).update(storage_encrypted=False), ic.check_database),
    ("rds-default-key", lambda t: db(t).pop("kms_key_id"), ic.check_database),
    (
        "rds-key-from-elsewhere",
        lambda t: db(t).update(kms_key_id="${var.some_key_arn}"),
        ic.check_database,
    ),
    ("rds-own-password", lambda t: db(t).pop("manage_master_user_password"), ic.check_database),
    ("rds-no-final-snapshot", lambda t: db(t).update(skip_final_snapshot=True), ic.check_database),
    ("rds-no-force-ssl", drop_force_ssl, ic.check_database),
    (
        "rds-postgres-15",
        lambda t: t.modules["rds"].variables()["engine_version"].update(default="15"),
        ic.check_database,
    ),
    # buckets
    (
        "private-bucket-public-policy",
        lambda t: resource(
            t.modules["private_bucket"], "aws_s3_bucket_public_access_block", "this"
        ).update(block_public_policy=False),
        ic.check_buckets_private,
    ),
    (
        "private-bucket-without-access-block",
        lambda t: remove_resource(
            t.modules["private_bucket"], "aws_s3_bucket_public_access_block", "this"
        ),
        ic.check_buckets_private,
    ),
    (
        "state-bucket-public-acl",
        lambda t: add_resource(
            t.bootstrap,
            "aws_s3_bucket_acl",
            "state",
            {"bucket": "${aws_s3_bucket.state.id}", "acl": "public-read"},
        ),
        ic.check_buckets_private,
    ),
    # network exposure
    (
        "tasks-open-to-internet",
        lambda t: add_resource(
            t.modules["network"],
            "aws_vpc_security_group_ingress_rule",
            "oops",
            world_rule("aws_security_group.tasks.id", 8000),
        ),
        ic.check_network_exposure,
    ),
    (
        "tasks-open-from-vpc-in-network",
        lambda t: add_resource(
            t.modules["network"],
            "aws_vpc_security_group_ingress_rule",
            "vpc",
            {
                "security_group_id": "${aws_security_group.tasks.id}",
                "from_port": 8000,
                "to_port": 8000,
                "cidr_ipv4": "10.0.0.0/8",
            },
        ),
        ic.check_network_exposure,
    ),
    (
        "alb-ssh-open",
        lambda t: add_resource(
            t.modules["alb"],
            "aws_vpc_security_group_ingress_rule",
            "ssh",
            world_rule("aws_security_group.alb.id", 22),
        ),
        ic.check_network_exposure,
    ),
    (
        "endpoint-inline-world-ingress",
        lambda t: resource(t.modules["network"], "aws_security_group", "endpoints").update(
            ingress=[{"from_port": 443, "to_port": 443, "cidr_blocks": ["0.0.0.0/0"]}]
        ),
        ic.check_network_exposure,
    ),
    (
        "db-open-to-vpc-cidr",
        lambda t: resource(
            t.modules["rds"], "aws_vpc_security_group_ingress_rule", "db_from_tasks"
        ).update(cidr_ipv4="10.0.0.0/8"),
        ic.check_network_exposure,
    ),
    (
        "db-client-is-alb",
        lambda t: in_stack(t, "rds").update(
            client_security_group_id="${module.alb.alb_security_group_id}"
        ),
        ic.check_network_exposure,
    ),
    (
        "service-in-alb-group",
        lambda t: in_stack(t, "ecs").update(
            security_group_id="${module.alb.alb_security_group_id}"
        ),
        ic.check_network_exposure,
    ),
    (
        "alb-forwards-to-another-group",
        lambda t: in_stack(t, "alb").update(
            tasks_security_group_id="${module.rds.security_group_id}"
        ),
        ic.check_network_exposure,
    ),
    # environments are one call of the stack
    (
        "env-builds-its-own-database",
        lambda t: (
            t.environments["production"]
            .blocks["module"]
            .append({"rds": {"source": "../../modules/rds", "deletion_protection": False}})
        ),
        ic.check_environments_use_stack,
    ),
    (
        "env-adds-a-resource",
        lambda t: add_resource(
            t.environments["staging"], "aws_s3_bucket", "scratch", {"bucket": "scratch"}
        ),
        ic.check_environments_use_stack,
    ),
    (
        "env-calls-another-stack",
        lambda t: call(t, "staging").update(source="../../modules/stack-copy"),
        ic.check_environments_use_stack,
    ),
    (
        "tasks-reachable-from-vpc",
        lambda t: resource(
            t.modules["alb"], "aws_vpc_security_group_ingress_rule", "tasks_from_alb"
        ).update(referenced_security_group_id="", cidr_ipv4="${var.vpc_cidr}"),
        ic.check_network_exposure,
    ),
    # production protection
    (
        "prod-deletable",
        lambda t: prod(t).update(deletion_protection=False),
        ic.check_production_protection,
    ),
    (
        "prod-protection-left-to-default",
        lambda t: prod(t).pop("deletion_protection"),
        ic.check_production_protection,
    ),
    (
        "prod-single-az",
        lambda t: prod(t).update(db_multi_az=False),
        ic.check_production_protection,
    ),
    (
        "prod-single-nat",
        lambda t: prod(t).update(nat_gateway_per_az=False),
        ic.check_production_protection,
    ),
    (
        "prod-without-waf",
        lambda t: prod(t).update(enable_waf=False),
        ic.check_production_protection,
    ),
    (
        "prod-one-task",
        lambda t: prod(t).update(min_capacity=1),
        ic.check_production_protection,
    ),
    (
        "stack-alb-always-deletable",
        lambda t: in_stack(t, "alb").update(deletion_protection=False),
        ic.check_production_protection,
    ),
    (
        "stack-rds-always-deletable",
        lambda t: in_stack(t, "rds").update(deletion_protection=False),
        ic.check_production_protection,
    ),
    (
        "stack-rds-always-single-az",
        lambda t: in_stack(t, "rds").update(multi_az=False),
        ic.check_production_protection,
    ),
    (
        "stack-unprotected-by-default",
        lambda t: t.modules["stack"].variables()["deletion_protection"].update(default=False),
        ic.check_production_protection,
    ),
    (
        "alb-ignores-variable",
        lambda t: resource(t.modules["alb"], "aws_lb", "this").update(
            enable_deletion_protection=False
        ),
        ic.check_production_protection,
    ),
    (
        "staging-oversized",
        lambda t: call(t, "staging").update(max_capacity=6),
        ic.check_environment_sizes,
    ),
    (
        "staging-multi-az",
        lambda t: call(t, "staging").update(db_multi_az=True),
        ic.check_environment_sizes,
    ),
    (
        "stack-ignores-max-capacity",
        lambda t: in_stack(t, "ecs").update(max_capacity=2),
        ic.check_environment_sizes,
    ),
    # /metrics
    (
        "metrics-rule-removed",
        lambda t: remove_resource(t.modules["alb"], "aws_lb_listener_rule", "block_metrics"),
        ic.check_metrics_not_public,
    ),
    (
        "metrics-rule-answers-200",
        lambda t: metrics_rule(t)["action"][0]["fixed_response"][0].update(status_code="200"),
        ic.check_metrics_not_public,
    ),
    (
        "metrics-path-dropped",
        lambda t: t.modules["alb"].variables()["blocked_paths"].update(default=["/admin"]),
        ic.check_metrics_not_public,
    ),
    (
        "metrics-paths-overridden",
        lambda t: in_stack(t, "alb").update(blocked_paths=["/nothing"]),
        ic.check_metrics_not_public,
    ),
    # ECR
    (
        "ecr-mutable-tags",
        lambda t: resource(t.modules["ecr"], "aws_ecr_repository", "this").update(
            image_tag_mutability="MUTABLE"
        ),
        ic.check_ecr,
    ),
    (
        "ecr-no-scan",
        lambda t: resource(t.modules["ecr"], "aws_ecr_repository", "this")[
            "image_scanning_configuration"
        ][0].update(scan_on_push=False),
        ic.check_ecr,
    ),
    # tasks
    (
        "app-writable-root",
        lambda t: t.modules["ecs"].locals()["app_container"].update(readonlyRootFilesystem=False),
        ic.check_tasks,
    ),
    (
        "no-tmp-volume",
        lambda t: t.modules["ecs"].locals()["app_container"].update(mountPoints=[]),
        ic.check_tasks,
    ),
    (
        "no-rollback",
        lambda t: resource(t.modules["ecs"], "aws_ecs_service", "app")[
            "deployment_circuit_breaker"
        ][0].update(rollback=False),
        ic.check_tasks,
    ),
    # identity
    (
        "iam-user",
        lambda t: add_resource(t.modules["iam"], "aws_iam_user", "ci", {"name": "ci"}),
        ic.check_deploy_identity,
    ),
    ("deploy-trust-any-ref", deploy_trust_wildcard, ic.check_deploy_identity),
    # versions and state
    (
        "provider-unpinned",
        lambda t: aws_provider(t, "modules/rds").update(version=">= 5.0"),
        ic.check_state_and_providers,
    ),
    (
        "state-unlocked",
        lambda t: backend(t, "production").pop("dynamodb_table"),
        ic.check_state_and_providers,
    ),
    (
        "state-unencrypted",
        lambda t: backend(t, "staging").update(encrypt=False),
        ic.check_state_and_providers,
    ),
    # least privilege: database logins
    (
        "app-logs-in-as-master",
        lambda t: (
            t.modules["stack"]
            .blocks["locals"][1]["app_secrets"]
            .update(DATABASE_PASSWORD="${module.rds.master_user_secret_arn}:password::")
        ),
        ic.check_database_logins,
    ),
    (
        "service-logs-in-as-migration-role",
        lambda t: in_stack(t, "ecs").update(app_database_login="${local.database_logins.manage}"),
        ic.check_database_logins,
    ),
    (
        "app-login-uses-migrate-password",
        lambda t: (
            t.modules["stack"]
            .locals()["database_logins"]["app"]
            .update(password_secret_arn='${module.secrets.database_password_arns["migrate"]}')
        ),
        ic.check_database_logins,
    ),
    (
        "app-role-is-the-master",
        lambda t: t.modules["stack"].locals()["database_logins"]["app"].update(user="splitclone"),
        ic.check_database_logins,
    ),
    (
        "execution-role-reads-master-secret",
        lambda t: in_stack(t, "iam").update(
            secret_arns="${concat(module.secrets.secret_arns, [module.rds.master_user_secret_arn])}"
        ),
        ic.check_database_logins,
    ),
    (
        "app-container-ignores-its-login",
        lambda t: t.modules["ecs"].blocks["locals"][0].update(app_secrets="${var.secrets}"),
        ic.check_database_logins,
    ),
    (
        "manage-task-runs-bootstrap-container",
        lambda t: resource(t.modules["ecs"], "aws_ecs_task_definition", "manage").update(
            container_definitions="${jsonencode([local.db_bootstrap_container])}"
        ),
        ic.check_database_logins,
    ),
    ("deploy-passes-bootstrap-role", deploy_passes_bootstrap_role, ic.check_database_logins),
    # least privilege: wildcards
    (
        "kms-admin-unexplained",
        lambda t: drop_comments(t.modules["kms"].blocks["locals"][0]),
        ic.check_policy_wildcards,
    ),
    (
        "kms-grants-unexplained",
        lambda t: drop_comments(t.modules["kms"].blocks["locals"][2]),
        ic.check_policy_wildcards,
    ),
    (
        "ecr-auth-unexplained",
        lambda t: drop_comments(statement(t, "iam", "execution", "EcrAuth")),
        ic.check_policy_wildcards,
    ),
    (
        "alarm-key-grant-unexplained",
        lambda t: drop_comments(t.modules["logs"].modules()["kms"]),
        ic.check_policy_wildcards,
    ),
    (
        "receipts-key-any-action",
        lambda t: statement(t, "iam", "app", "ReceiptsKey").update(actions=["kms:*"]),
        ic.check_policy_wildcards,
    ),
    (
        "new-statement-on-everything",
        lambda t: policy(t, "iam", "manage")["statement"].append(
            {"sid": "Everything", "actions": ["ssm:GetParameter"], "resources": ["*"]}
        ),
        ic.check_policy_wildcards,
    ),
    # no copies
    (
        "kms-key-copied-into-a-module",
        lambda t: add_resource(t.modules["ecr"], "aws_kms_key", "ecr", {"description": "copy"}),
        ic.check_no_copies,
    ),
    (
        "bucket-outside-private-bucket",
        lambda t: add_resource(t.modules["static"], "aws_s3_bucket", "extra", {"bucket": "x"}),
        ic.check_no_copies,
    ),
    # module dependencies
    (
        "ecs-reads-from-monitoring",
        lambda t: in_stack(t, "ecs").update(log_kms_key_arn="${module.monitoring.sns_topic_arn}"),
        ic.check_monitoring_is_read_only,
    ),
    # deploy role = what deploy.sh calls
    (
        "deploy-role-keeps-an-unused-action",
        lambda t: statement(t, "iam", "deploy", "WatchOwnTasks")["actions"].append("ecs:StopTask"),
        ic.check_deploy_role_matches_script,
    ),
    (
        "deploy-role-misses-a-call",
        lambda t: statement(t, "iam", "deploy", "InvalidateStaticCdn").update(actions=[]),
        ic.check_deploy_role_matches_script,
    ),
    # every service rolled by deploys
    (
        "worker-not-in-deploy-config",
        drop_worker_from_deploy_config,
        ic.check_deploy_reaches_every_service,
    ),
    (
        "deploy-role-cannot-update-the-worker",
        lambda t: in_stack(t, "iam").pop("ecs_worker_service_name"),
        ic.check_deploy_reaches_every_service,
    ),
    # state addresses
    (
        "moved-block-dropped",
        lambda t: t.modules["rds"].blocks["moved"].pop(0),
        ic.check_state_addresses_kept,
    ),
    (
        "moved-to-the-wrong-key",
        lambda t: (
            t.modules["static"]
            .blocks["moved"][4]
            .update(to='${module.bucket["media"].aws_s3_bucket.this}')
        ),
        ic.check_state_addresses_kept,
    ),
    ("log-groups-by-count", log_groups_by_count, ic.check_state_addresses_kept),
    ("tasks-group-renamed", tasks_group_renamed, ic.check_state_addresses_kept),
    # module layout
    (
        "module-without-readme",
        lambda t: t.modules["dns"].files.discard("README.md"),
        ic.check_module_layout,
    ),
    (
        "undocumented-variable",
        lambda t: t.modules["ecs"].variables()["cpu"].pop("description"),
        ic.check_module_layout,
    ),
    (
        "undocumented-output",
        lambda t: t.modules["network"].outputs()["vpc_id"].pop("description"),
        ic.check_module_layout,
    ),
]


@pytest.mark.parametrize(
    ("mutate", "check"), [(m, c) for _, m, c in MUTATIONS], ids=[i for i, _, _ in MUTATIONS]
)
def test_check_catches_mutation(tree, mutate, check):
    broken = copy.deepcopy(tree)
    mutate(broken)
    assert check(broken), f"{check.__name__} did not notice the mutation"
    # The original tree is untouched by the mutation.
    assert check(tree) == []


def test_every_check_has_a_mutation():
    covered = {c for _, _, c in MUTATIONS}
    missing = [c.__name__ for c in ic.ALL_CHECKS if c not in covered]
    assert missing == []
