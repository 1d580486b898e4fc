"""Security properties of deploy/terraform, read with python-hcl2 (no provider, no network).

`load_tree()` parses every stack into plain dicts; each `check_*` function returns a list of
human-readable violations (empty = the property holds). The tests assert the real tree is clean
and that a deliberately broken copy is caught, so no check can pass vacuously.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import hcl2

TERRAFORM_ROOT = Path(__file__).resolve().parents[1] / "terraform"
ENVIRONMENTS = ("staging", "production")
REQUIRED_MODULE_FILES = ("README.md", "main.tf", "outputs.tf", "variables.tf", "versions.tf")
WORLD = {"0.0.0.0/0", "::/0"}

# Comments are kept (as "__comments__" / "__inline_comments__" keys): a wildcard in a policy must
# be justified by one.
_OPTIONS = hcl2.SerializationOptions(
    strip_string_quotes=True, explicit_blocks=False, with_comments=True
)
COMMENT_KEYS = ("__comments__", "__inline_comments__")


# ---------------------------------------------------------------------------
# Loading
# ---------------------------------------------------------------------------


def parse_file(path: Path) -> dict[str, Any]:
    with path.open(encoding="utf-8") as handle:
        return hcl2.load(handle, serialization_options=_OPTIONS)


@dataclass
class Stack:
    """The merged content of all .tf files of one directory."""

    path: Path
    files: set[str] = field(default_factory=set)
    blocks: dict[str, list[Any]] = field(default_factory=dict)

    def resources(self, rtype: str) -> dict[str, dict[str, Any]]:
        found: dict[str, dict[str, Any]] = {}
        for entry in self.blocks.get("resource", []):
            for name, body in entry.get(rtype, {}).items():
                found[name] = body
        return found

    def all_resources(self) -> Iterator[tuple[str, str, dict[str, Any]]]:
        for entry in self.blocks.get("resource", []):
            for rtype, named in entry.items():
                for name, body in named.items():
                    yield rtype, name, body

    def modules(self) -> dict[str, dict[str, Any]]:
        return {n: b for entry in self.blocks.get("module", []) for n, b in entry.items()}

    def variables(self) -> dict[str, dict[str, Any]]:
        return {n: b for entry in self.blocks.get("variable", []) for n, b in entry.items()}

    def outputs(self) -> dict[str, dict[str, Any]]:
        return {n: b for entry in self.blocks.get("output", []) for n, b in entry.items()}

    def locals(self) -> dict[str, Any]:
        merged: dict[str, Any] = {}
        for entry in self.blocks.get("locals", []):
            merged.update({k: v for k, v in entry.items() if k not in COMMENT_KEYS})
        return merged

    def moved(self) -> list[tuple[str, str]]:
        return [(ref(m["from"]), ref(m["to"])) for m in self.blocks.get("moved", [])]

    def terraform_blocks(self) -> list[dict[str, Any]]:
        return self.blocks.get("terraform", [])


def load_stack(path: Path) -> Stack:
    stack = Stack(path=path, files={p.name for p in path.iterdir() if p.is_file()})
    for tf in sorted(path.glob("*.tf")):
        for key, value in parse_file(tf).items():
            if key not in COMMENT_KEYS:
                stack.blocks.setdefault(key, []).extend(value)
    return stack


@dataclass
class Tree:
    modules: dict[str, Stack]
    environments: dict[str, Stack]
    bootstrap: Stack

    def stacks(self) -> Iterator[tuple[str, Stack]]:
        for name, stack in self.modules.items():
            yield f"modules/{name}", stack
        for name, stack in self.environments.items():
            yield f"environments/{name}", stack
        yield "bootstrap", self.bootstrap


def load_tree(root: Path = TERRAFORM_ROOT) -> Tree:
    return Tree(
        modules={p.name: load_stack(p) for p in sorted((root / "modules").iterdir()) if p.is_dir()},
        environments={name: load_stack(root / "environments" / name) for name in ENVIRONMENTS},
        bootstrap=load_stack(root / "bootstrap"),
    )


# ---------------------------------------------------------------------------
# Expression helpers (hcl2 keeps expressions as "${...}" strings)
# ---------------------------------------------------------------------------


def ref(value: Any) -> str:
    """`"${aws_security_group.alb.id}"` -> `"aws_security_group.alb.id"`; literals unchanged."""
    if isinstance(value, str):
        match = re.fullmatch(r"\$\{(.*)\}", value.strip(), flags=re.DOTALL)
        if match:
            return match.group(1).strip()
        return value
    return str(value)


def is_true(value: Any) -> bool:
    return value is True or (isinstance(value, str) and value.strip().lower() == "true")


def is_false(value: Any) -> bool:
    return value is False or (isinstance(value, str) and value.strip().lower() == "false")


def as_int(value: Any) -> int | None:
    try:
        return int(str(value))
    except (TypeError, ValueError):
        return None


def variable_default(stack: Stack, name: str) -> Any:
    return stack.variables().get(name, {}).get("default")


def resolve(stack: Stack, value: Any) -> Any:
    """Follow `var.x` to the module default; anything else is returned unchanged."""
    match = re.fullmatch(r"var\.(\w+)", ref(value))
    if match:
        return variable_default(stack, match.group(1))
    return value


def listify(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


# ---------------------------------------------------------------------------
# Checks
# ---------------------------------------------------------------------------


def check_database(tree: Tree) -> list[str]:
    """RDS is private, encrypted with KMS, TLS-only, with managed password and backups."""
    problems: list[str] = []
    rds = tree.modules["rds"]
    instances = rds.resources("aws_db_instance")
    if not instances:
        return ["modules/rds: no aws_db_instance"]
    for name, db in instances.items():
        where = f"modules/rds aws_db_instance.{name}"
        if not is_false(db.get("publicly_accessible")):
            problems.append(f"{where}: publicly_accessible must be false")
        if not is_true(db.get("storage_encrypted")):
            problems.append(f"{where}: storage_encrypted must be true")
        if not is_customer_key(rds, db.get("kms_key_id")):
            problems.append(f"{where}: kms_key_id must reference a customer-managed KMS key")
        if not is_true(db.get("manage_master_user_password")):
            problems.append(f"{where}: manage_master_user_password must be true")
        if not is_true(db.get("iam_database_authentication_enabled")):
            problems.append(f"{where}: IAM database authentication must be enabled")
        if not is_false(db.get("skip_final_snapshot")) or not db.get("final_snapshot_identifier"):
            problems.append(f"{where}: a final snapshot must be taken")
        retention = as_int(resolve(rds, db.get("backup_retention_period")))
        if not retention or retention < 1:
            problems.append(f"{where}: automated backups must be enabled")
        if not is_true(db.get("auto_minor_version_upgrade")):
            problems.append(f"{where}: auto_minor_version_upgrade must be true")
        if db.get("engine") != "postgres":
            problems.append(f"{where}: engine must be postgres")
        version = str(resolve(rds, db.get("engine_version")) or "0")
        if (as_int(version.split(".")[0]) or 0) < 16:
            problems.append(f"{where}: PostgreSQL 16 or newer is required (got {version})")
    force_ssl = [
        p
        for group in rds.resources("aws_db_parameter_group").values()
        for p in listify(group.get("parameter"))
        if p.get("name") == "rds.force_ssl" and str(p.get("value")) == "1"
    ]
    if not force_ssl:
        problems.append("modules/rds: parameter group must set rds.force_ssl = 1")
    return problems


KMS_MODULE = "../kms"


def is_customer_key(stack: Stack, value: Any) -> bool:
    """`aws_kms_key.x.arn`, or the `arn` of a call of modules/kms."""
    text = ref(value or "")
    if text.startswith("aws_kms_key."):
        return True
    match = re.fullmatch(r"module\.(\w+)\.arn", text)
    return bool(match) and stack.modules().get(match.group(1), {}).get("source") == KMS_MODULE


def _bucket_target(body: dict[str, Any]) -> str | None:
    """Name of the aws_s3_bucket a bucket-scoped resource applies to."""
    for candidate in (body.get("bucket"), body.get("for_each")):
        match = re.search(r"aws_s3_bucket\.(\w+)", ref(candidate or ""))
        if match:
            return match.group(1)
    return None


def check_buckets_private(tree: Tree) -> list[str]:
    """Every bucket has a public access block with all four switches on, and no public ACL."""
    problems: list[str] = []
    for label, stack in tree.stacks():
        blocks = {
            _bucket_target(body): body
            for body in stack.resources("aws_s3_bucket_public_access_block").values()
        }
        for name in stack.resources("aws_s3_bucket"):
            pab = blocks.get(name)
            if pab is None:
                problems.append(f"{label} aws_s3_bucket.{name}: no public access block")
                continue
            for switch in (
                "block_public_acls",
                "block_public_policy",
                "ignore_public_acls",
                "restrict_public_buckets",
            ):
                if not is_true(pab.get(switch)):
                    problems.append(f"{label} aws_s3_bucket.{name}: {switch} must be true")
        for name, acl in stack.resources("aws_s3_bucket_acl").items():
            if "public" in str(acl.get("acl", "")):
                problems.append(f"{label} aws_s3_bucket_acl.{name}: public ACL")
    return problems


@dataclass
class Ingress:
    where: str
    security_group: str
    cidrs: list[str]
    source_group: str
    from_port: int | None
    to_port: int | None


def ingress_rules(tree: Tree) -> list[Ingress]:
    """Ingress of every style: standalone rules, legacy rules and inline blocks."""
    rules: list[Ingress] = []
    for label, stack in tree.stacks():
        for name, body in stack.resources("aws_vpc_security_group_ingress_rule").items():
            rules.append(
                Ingress(
                    where=f"{label} aws_vpc_security_group_ingress_rule.{name}",
                    security_group=ref(body.get("security_group_id", "")),
                    cidrs=[c for c in (body.get("cidr_ipv4"), body.get("cidr_ipv6")) if c],
                    source_group=ref(body.get("referenced_security_group_id", "")),
                    from_port=as_int(body.get("from_port")),
                    to_port=as_int(body.get("to_port")),
                )
            )
        for name, body in stack.resources("aws_security_group_rule").items():
            if body.get("type") != "ingress":
                continue
            rules.append(
                Ingress(
                    where=f"{label} aws_security_group_rule.{name}",
                    security_group=ref(body.get("security_group_id", "")),
                    cidrs=listify(body.get("cidr_blocks")) + listify(body.get("ipv6_cidr_blocks")),
                    source_group=ref(body.get("source_security_group_id", "")),
                    from_port=as_int(body.get("from_port")),
                    to_port=as_int(body.get("to_port")),
                )
            )
        for name, body in stack.resources("aws_security_group").items():
            for block in listify(body.get("ingress")):
                rules.append(
                    Ingress(
                        where=f"{label} aws_security_group.{name} (inline ingress)",
                        security_group=f"aws_security_group.{name}.id",
                        cidrs=listify(block.get("cidr_blocks"))
                        + listify(block.get("ipv6_cidr_blocks")),
                        source_group=" ".join(
                            ref(s) for s in listify(block.get("security_groups"))
                        ),
                        from_port=as_int(block.get("from_port")),
                        to_port=as_int(block.get("to_port")),
                    )
                )
    return rules


TASKS_GROUP = "aws_security_group.tasks.id"
TASKS_GROUP_VARIABLE = "var.tasks_security_group_id"
TASKS_GROUP_OUTPUT = "module.network.tasks_security_group_id"
# (module call in modules/stack, argument) that must be the tasks' group of the network module.
TASKS_GROUP_USERS = (
    ("rds", "client_security_group_id"),
    ("ecs", "security_group_id"),
    ("alb", "tasks_security_group_id"),
)


def check_network_exposure(tree: Tree) -> list[str]:
    """Only the ALB group is open to the internet (80/443); tasks <- ALB; database <- tasks."""
    problems: list[str] = []
    rules = ingress_rules(tree)
    for rule in rules:
        if not WORLD.intersection(ref(c) for c in rule.cidrs):
            continue
        if not rule.where.startswith("modules/alb ") or rule.security_group != (
            "aws_security_group.alb.id"
        ):
            problems.append(f"{rule.where}: open to the internet but not the ALB security group")
        elif rule.from_port != rule.to_port or rule.from_port not in (80, 443):
            problems.append(f"{rule.where}: the ALB may only open 80 and 443 to the internet")

    task_rules = [
        r
        for r in rules
        if (r.where.startswith("modules/alb ") and r.security_group == TASKS_GROUP_VARIABLE)
        or (r.where.startswith("modules/network ") and r.security_group == TASKS_GROUP)
    ]
    if not task_rules:
        problems.append("modules/alb: the tasks security group has no ingress from the ALB")
    for rule in task_rules:
        if rule.cidrs or rule.source_group != "aws_security_group.alb.id":
            problems.append(f"{rule.where}: tasks may only be reached from the ALB security group")

    db_rules = [
        r
        for r in rules
        if r.where.startswith("modules/rds ") and r.security_group == "aws_security_group.db.id"
    ]
    if not db_rules:
        problems.append("modules/rds: the database security group has no ingress from the tasks")
    for rule in db_rules:
        if rule.cidrs or rule.source_group != "var.client_security_group_id":
            problems.append(f"{rule.where}: the database may only be reached from the tasks group")
        if rule.from_port != 5432 or rule.to_port != 5432:
            problems.append(f"{rule.where}: the database rule must be limited to port 5432")

    tasks_output = tree.modules["network"].outputs().get("tasks_security_group_id", {})
    if ref(tasks_output.get("value", "")) != TASKS_GROUP:
        problems.append("modules/network: output tasks_security_group_id must be the tasks group")
    calls = tree.modules["stack"].modules()
    for module, argument in TASKS_GROUP_USERS:
        if ref(calls.get(module, {}).get(argument, "")) != TASKS_GROUP_OUTPUT:
            problems.append(f"modules/stack: module.{module} {argument} must be the tasks group")
    return problems


STACK_SOURCE = "../../modules/stack"


def check_environments_use_stack(tree: Tree) -> list[str]:
    """Each environment is one call of modules/stack and nothing else, so the checks of the
    stack's wiring (and of production's call) cover everything an environment builds."""
    problems: list[str] = []
    for env, stack in tree.environments.items():
        calls = stack.modules()
        if set(calls) != {"stack"} or calls["stack"].get("source") != STACK_SOURCE:
            problems.append(f"environments/{env}: must call only module.stack ({STACK_SOURCE})")
        for rtype, name, _ in stack.all_resources():
            problems.append(f"environments/{env}: {rtype}.{name} belongs in modules/stack")
    return problems


# Switches of modules/stack that production must turn on (and that default to on).
PROTECTIONS = ("deletion_protection", "db_multi_az", "nat_gateway_per_az", "enable_waf")
# (module call inside modules/stack, its argument) -> the stack variable it must follow.
STACK_WIRING = {
    ("alb", "deletion_protection"): "deletion_protection",
    ("rds", "deletion_protection"): "deletion_protection",
    ("rds", "multi_az"): "db_multi_az",
    ("network", "nat_gateway_per_az"): "nat_gateway_per_az",
    ("alb", "enable_waf"): "enable_waf",
    ("ecs", "min_capacity"): "min_capacity",
}


def check_production_protection(tree: Tree) -> list[str]:
    """Production keeps its data and entry point: deletion protection, Multi-AZ, NAT per AZ.

    Production's call of modules/stack turns each protection on, the stack hands it to the
    module that enforces it, and the stack's and modules' defaults are the protected ones.
    """
    problems: list[str] = []
    prod = tree.environments["production"].modules().get("stack", {})
    for knob in PROTECTIONS:
        if not is_true(prod.get(knob)):
            problems.append(f"production: {knob} must be true")
    if (as_int(prod.get("min_capacity")) or 0) < 2:
        problems.append("production: at least 2 tasks must run")
    stack = tree.modules["stack"]
    calls = stack.modules()
    for (module, attr), knob in STACK_WIRING.items():
        if ref(calls.get(module, {}).get(attr, "")) != f"var.{knob}":
            problems.append(f"modules/stack: module.{module} {attr} must follow var.{knob}")
    for knob in PROTECTIONS:
        if not is_true(variable_default(stack, knob)):
            problems.append(f"modules/stack: var.{knob} must default to true")
    alb = tree.modules["alb"]
    lb = alb.resources("aws_lb").get("this", {})
    if ref(lb.get("enable_deletion_protection", "")) != "var.deletion_protection":
        problems.append(
            "modules/alb: enable_deletion_protection must follow var.deletion_protection"
        )
    rds = tree.modules["rds"]
    db = rds.resources("aws_db_instance").get("this", {})
    for attr in ("deletion_protection", "multi_az"):
        if ref(db.get(attr, "")) != f"var.{attr}":
            problems.append(f"modules/rds: {attr} must follow var.{attr}")
        if not is_true(variable_default(rds, attr)):
            problems.append(f"modules/rds: var.{attr} must default to true")
    return problems


def check_environment_sizes(tree: Tree) -> list[str]:
    """Staging is small (1 NAT, single-AZ, 1-2 tasks); production 2-10 tasks."""
    problems: list[str] = []
    staging = tree.environments["staging"].modules().get("stack", {})
    if not is_false(staging.get("nat_gateway_per_az")):
        problems.append("staging: a single NAT gateway is expected")
    if not is_false(staging.get("db_multi_az")):
        problems.append("staging: single-AZ RDS is expected")
    sizes = {
        "staging": (1, 2),
        "production": (2, 10),
    }
    for env, (low, high) in sizes.items():
        call = tree.environments[env].modules().get("stack", {})
        got = (as_int(call.get("min_capacity")), as_int(call.get("max_capacity")))
        if got != (low, high):
            problems.append(f"{env}: expected {low}-{high} tasks, got {got[0]}-{got[1]}")
    ecs = tree.modules["stack"].modules().get("ecs", {})
    for attr in ("min_capacity", "max_capacity"):
        if ref(ecs.get(attr, "")) != f"var.{attr}":
            problems.append(f"modules/stack: module.ecs {attr} must follow var.{attr}")
    return problems


def check_metrics_not_public(tree: Tree) -> list[str]:
    """The HTTPS listener answers /metrics with a fixed 404 before forwarding anything."""
    alb = tree.modules["alb"]
    https = [
        name
        for name, listener in alb.resources("aws_lb_listener").items()
        if as_int(listener.get("port")) == 443
    ]
    for rule in alb.resources("aws_lb_listener_rule").values():
        if not any(ref(rule.get("listener_arn", "")) == f"aws_lb_listener.{h}.arn" for h in https):
            continue
        actions = listify(rule.get("action"))
        fixed_404 = any(
            a.get("type") == "fixed-response"
            and any(str(f.get("status_code")) == "404" for f in listify(a.get("fixed_response")))
            for a in actions
        )
        paths: list[str] = []
        for condition in listify(rule.get("condition")):
            for pattern in listify(condition.get("path_pattern")):
                for value in listify(resolve(alb, pattern.get("values"))):
                    paths.extend(listify(resolve(alb, value)))
        if fixed_404 and "/metrics" in paths:
            if "blocked_paths" in tree.modules["stack"].modules().get("alb", {}):
                return ["modules/stack: must not override alb.blocked_paths"]
            return []
    return ["modules/alb: no HTTPS listener rule answering /metrics with a fixed 404"]


def check_ecr(tree: Tree) -> list[str]:
    problems: list[str] = []
    repos = tree.modules["ecr"].resources("aws_ecr_repository")
    if not repos:
        return ["modules/ecr: no aws_ecr_repository"]
    for name, repo in repos.items():
        where = f"modules/ecr aws_ecr_repository.{name}"
        if repo.get("image_tag_mutability") != "IMMUTABLE":
            problems.append(f"{where}: image tags must be IMMUTABLE")
        scanning = listify(repo.get("image_scanning_configuration"))
        if not any(is_true(s.get("scan_on_push")) for s in scanning):
            problems.append(f"{where}: scan_on_push must be true")
        encryption = listify(repo.get("encryption_configuration"))
        if not any(e.get("encryption_type") == "KMS" for e in encryption):
            problems.append(f"{where}: must be encrypted with KMS")
    if not tree.modules["ecr"].resources("aws_ecr_lifecycle_policy"):
        problems.append("modules/ecr: a lifecycle policy is required")
    return problems


def check_tasks(tree: Tree) -> list[str]:
    """Containers run with a read-only root FS and /tmp on a volume; deploys roll back."""
    problems: list[str] = []
    ecs = tree.modules["ecs"]
    containers = {k: v for k, v in ecs.locals().items() if k.endswith("_container")}
    if not containers:
        return ["modules/ecs: no container definitions found in locals"]
    for name, container in containers.items():
        if isinstance(container, dict):
            if not is_true(container.get("readonlyRootFilesystem")):
                problems.append(f"modules/ecs local.{name}: readonlyRootFilesystem must be true")
        # A derived container (merge(local.app_container, {...})) must not override it.
        elif "local.app_container" not in str(container) or "readonlyRootFilesystem" in str(
            container
        ):
            problems.append(f"modules/ecs local.{name}: must inherit the app's read-only root FS")
    app = containers.get("app_container", {})
    mounts = [m.get("containerPath") for m in listify(app.get("mountPoints"))]
    if "/tmp" not in mounts:
        problems.append("modules/ecs local.app_container: /tmp must be a writable volume")
    for name, service in ecs.resources("aws_ecs_service").items():
        breakers = listify(service.get("deployment_circuit_breaker"))
        if not any(is_true(b.get("enable")) and is_true(b.get("rollback")) for b in breakers):
            problems.append(f"modules/ecs aws_ecs_service.{name}: circuit breaker with rollback")
        for net in listify(service.get("network_configuration")):
            if not is_false(net.get("assign_public_ip")):
                problems.append(f"modules/ecs aws_ecs_service.{name}: no public IP")
    return problems


def check_deploy_identity(tree: Tree) -> list[str]:
    """GitHub deploys via OIDC restricted to repo + environment; no IAM users or access keys."""
    problems: list[str] = []
    for label, stack in tree.stacks():
        for rtype, name, _ in stack.all_resources():
            if rtype in ("aws_iam_user", "aws_iam_access_key", "aws_iam_user_policy"):
                problems.append(f"{label} {rtype}.{name}: long-lived IAM credentials")
    iam = tree.modules["iam"]
    docs = {
        n: b
        for e in iam.blocks.get("data", [])
        for n, b in e.get("aws_iam_policy_document", {}).items()
    }
    trust = docs.get("deploy_assume", {})
    conditions = [c for s in listify(trust.get("statement")) for c in listify(s.get("condition"))]
    subjects = [
        v
        for c in conditions
        if c.get("variable") == "token.actions.githubusercontent.com:sub"
        and c.get("test") == "StringEquals"
        for v in listify(c.get("values"))
    ]
    if not subjects or not all(":environment:" in str(v) and "*" not in str(v) for v in subjects):
        problems.append("modules/iam: deploy role must trust exactly repo:<repo>:environment:<env>")
    audiences = [
        v
        for c in conditions
        if c.get("variable") == "token.actions.githubusercontent.com:aud"
        for v in listify(c.get("values"))
    ]
    if audiences != ["sts.amazonaws.com"]:
        problems.append("modules/iam: deploy role must require aud = sts.amazonaws.com")
    return problems


def check_state_and_providers(tree: Tree) -> list[str]:
    """Pinned Terraform/provider versions everywhere; environments keep locked, encrypted state."""
    problems: list[str] = []
    for label, stack in tree.stacks():
        blocks = stack.terraform_blocks()
        if not any(b.get("required_version") for b in blocks):
            problems.append(f"{label}: terraform.required_version is missing")
        providers = [
            p
            for b in blocks
            for rp in listify(b.get("required_providers"))
            for p in ([rp] if isinstance(rp, dict) else [])
        ]
        aws = [p.get("aws") for p in providers if p.get("aws")]
        if not aws or not all(
            a.get("source") == "hashicorp/aws"
            and re.fullmatch(r"~>\s*[56]\.\d+(\.\d+)?", str(a.get("version", "")))
            for a in aws
        ):
            problems.append(f"{label}: hashicorp/aws must be pinned with ~> 5.x or 6.x")
    for env, stack in tree.environments.items():
        backends = [b for t in stack.terraform_blocks() for b in listify(t.get("backend"))]
        s3 = [b["s3"] for b in backends if isinstance(b, dict) and "s3" in b]
        if not s3:
            problems.append(f'environments/{env}: backend "s3" is required')
            continue
        config = s3[0]
        if not is_true(config.get("encrypt")):
            problems.append(f"environments/{env}: state must be encrypted")
        if not (config.get("dynamodb_table") or is_true(config.get("use_lockfile"))):
            problems.append(f"environments/{env}: state locking is required")
        if env not in str(config.get("key", "")):
            problems.append(f"environments/{env}: state key must be per environment")
    return problems


def check_module_layout(tree: Tree) -> list[str]:
    """Every module documents itself: README, variables and outputs with descriptions."""
    problems: list[str] = []
    for name, stack in tree.modules.items():
        for required in REQUIRED_MODULE_FILES:
            if required not in stack.files:
                problems.append(f"modules/{name}: {required} is missing")
        for var, body in stack.variables().items():
            if not body.get("description") or not body.get("type"):
                problems.append(f"modules/{name}: variable {var} needs description and type")
        for out, body in stack.outputs().items():
            if not body.get("description"):
                problems.append(f"modules/{name}: output {out} needs a description")
    return problems


# ---------------------------------------------------------------------------
# Least privilege
# ---------------------------------------------------------------------------

MASTER_SECRET = "module.rds.master_user_secret_arn"
# Where modules/stack may hand the RDS master secret on: only to the one-off db-bootstrap task
# (its task definition and its execution role) and to the operator's output.
MASTER_SECRET_USERS = {("iam", "db_bootstrap_secret_arns"), ("ecs", "db_bootstrap")}
# Database login of each task family -> the password secret of modules/secrets it must use.
DATABASE_LOGINS = {"app": "app", "manage": "migrate"}


def _mentions(value: Any, needle: str) -> bool:
    return needle in str(value)


def check_database_logins(tree: Tree) -> list[str]:
    """The service logs in with the app role's secret, the manage task with the migration
    role's; the RDS master secret reaches only the db-bootstrap task, whose execution role the
    deploy role cannot pass."""
    problems: list[str] = []
    stack = tree.modules["stack"]
    calls = stack.modules()
    for call, body in calls.items():
        for argument, value in body.items():
            if _mentions(value, MASTER_SECRET) and (call, argument) not in MASTER_SECRET_USERS:
                problems.append(f"modules/stack: module.{call} {argument} gets the master secret")
    for name, value in stack.locals().items():
        if _mentions(value, MASTER_SECRET):
            problems.append(f"modules/stack: local.{name} holds the master secret")
    for rtype, name, body in stack.all_resources():
        if _mentions(body, MASTER_SECRET):
            problems.append(f"modules/stack: {rtype}.{name} uses the master secret")

    logins = stack.locals().get("database_logins", {})
    ecs_call = calls.get("ecs", {})
    users = set()
    for task, secret in DATABASE_LOGINS.items():
        login = logins.get(task, {}) if isinstance(logins, dict) else {}
        expected = f'module.secrets.database_password_arns["{secret}"]'
        if ref(login.get("password_secret_arn", "")) != expected:
            problems.append(f"modules/stack: the {task} login must use {expected}")
        users.add(login.get("user"))
        if ref(ecs_call.get(f"{task}_database_login", "")) != f"local.database_logins.{task}":
            problems.append(f"modules/stack: module.ecs {task}_database_login must be {task}'s")
    master = variable_default(tree.modules["rds"], "master_username")
    if len(users) != len(DATABASE_LOGINS) or master in users:
        problems.append("modules/stack: each task family needs its own role, never the master")

    ecs = tree.modules["ecs"]
    ecs_locals = ecs.locals()
    for task in DATABASE_LOGINS:
        secrets = str(ecs_locals.get(f"{task}_secrets", ""))
        if f"var.{task}_database_login.password_secret_arn" not in secrets:
            problems.append(f"modules/ecs: local.{task}_secrets must take the {task} login")
        container = ecs_locals.get(f"{task}_container")
        if f"local.{task}_secrets" not in str(container) or "db_bootstrap" in str(container):
            problems.append(f"modules/ecs: local.{task}_container must use local.{task}_secrets")
    for name, body in ecs.resources("aws_ecs_task_definition").items():
        definitions = str(body.get("container_definitions", ""))
        if name != "db_bootstrap" and "db_bootstrap" in definitions:
            problems.append(f"modules/ecs: task definition {name} runs the db-bootstrap container")
    for name, value in ecs_locals.items():
        if "var.db_bootstrap" in str(value) and not name.startswith("db_bootstrap"):
            problems.append(f"modules/ecs: local.{name} uses the db-bootstrap inputs")

    iam = tree.modules["iam"]
    documents = policy_documents(iam)
    execution = str(documents.get("execution", {}))
    if "db_bootstrap" in execution:
        problems.append("modules/iam: the shared execution role reads the bootstrap secrets")
    if ref(calls.get("iam", {}).get("secret_arns", "")) != "module.secrets.secret_arns":
        problems.append("modules/stack: the execution role reads module.secrets' secrets only")
    passed = [
        r
        for statement in listify(documents.get("deploy", {}).get("statement"))
        if "iam:PassRole" in listify(statement.get("actions"))
        for r in listify(statement.get("resources"))
    ]
    if not passed or any("db_bootstrap" in str(r) for r in passed):
        problems.append("modules/iam: the deploy role must not pass the db-bootstrap role")
    return problems


def policy_documents(stack: Stack) -> dict[str, dict[str, Any]]:
    return {
        name: body
        for entry in stack.blocks.get("data", [])
        for name, body in entry.get("aws_iam_policy_document", {}).items()
    }


def _statements(value: Any, in_block: bool = False) -> Iterator[tuple[dict[str, Any], bool]]:
    """Policy statements in a parsed value: (statement, whether it is a `statement` block, which
    carries its own comments, rather than an object literal, whose comments hcl2 hoists to the
    enclosing block)."""
    if isinstance(value, dict):
        keys = set(value)
        if keys & {"actions", "resources", "Action", "Resource"}:
            yield value, in_block
        for key, child in value.items():
            if key not in COMMENT_KEYS:
                yield from _statements(child, in_block or key in ("statement", "content"))
    elif isinstance(value, list):
        for child in value:
            yield from _statements(child, in_block)


# In an expression hcl2 keeps as text (a for expression): `Action = ...` / `Resource = "*"`.
WILDCARD_TEXT = re.compile(r"\b(Action|Resource|actions|resources)\s*=\s*\[?[^\]\n,}]*\*")


def _wildcards(statement: dict[str, Any]) -> list[str]:
    if str(statement.get("effect", statement.get("Effect", "Allow"))) == "Deny":
        return []  # a Deny with a wildcard takes away, it grants nothing
    return [
        f"{key} {item}"
        for key in ("actions", "resources", "Action", "Resource")
        for item in listify(statement.get(key))
        # A `*` inside an interpolation is not in the policy.
        if isinstance(item, str) and "*" in re.sub(r"\$\{[^}]*\}", "", item)
    ]


def check_policy_wildcards(tree: Tree) -> list[str]:
    """No `*` in the actions or resources an Allow statement grants unless a comment next to it
    says why (a key policy's resource, an action without resource-level permissions, objects
    under one prefix)."""
    problems: list[str] = []
    for label, stack in tree.stacks():
        for kind, name, body in _blocks(stack):
            block_comments = any(body.get(k) for k in COMMENT_KEYS)
            for statement, in_block in _statements(body):
                own = any(statement.get(k) for k in COMMENT_KEYS)
                for wildcard in _wildcards(statement):
                    if not (own or (not in_block and block_comments)):
                        problems.append(
                            f"{label} {kind} {name}: {wildcard} without a comment saying why"
                        )
            for text in _expression_texts(body):
                if WILDCARD_TEXT.search(text) and not block_comments:
                    problems.append(f"{label} {kind} {name}: wildcard in {text[:60]}...")
    return problems


def _blocks(stack: Stack) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """(kind, name, body) of every resource, data source, module call and locals block."""
    for kind in ("resource", "data"):
        for entry in stack.blocks.get(kind, []):
            for rtype, named in entry.items():
                for name, body in named.items():
                    yield kind, f"{rtype}.{name}", body
    for entry in stack.blocks.get("module", []):
        for name, body in entry.items():
            yield "module", name, body
    for entry in stack.blocks.get("locals", []):
        yield "locals", ", ".join(k for k in entry if k not in COMMENT_KEYS), entry


def _expression_texts(value: Any) -> Iterator[str]:
    if isinstance(value, str) and value.startswith("${") and "=" in value:
        yield value
    elif isinstance(value, dict):
        for key, child in value.items():
            if key not in COMMENT_KEYS:
                yield from _expression_texts(child)
    elif isinstance(value, list):
        for child in value:
            yield from _expression_texts(child)


PRIVATE_BUCKET_MODULE = "modules/private_bucket"
# The one bucket outside modules/private_bucket, and why: see bootstrap/main.tf.
BUCKET_EXCEPTIONS = {("bootstrap", "state")}


def check_no_copies(tree: Tree) -> list[str]:
    """Every KMS key is a call of modules/kms and every bucket one of modules/private_bucket
    (bootstrap's state bucket excepted: it needs prevent_destroy)."""
    problems: list[str] = []
    for label, stack in tree.stacks():
        for name in stack.resources("aws_kms_key"):
            if label != "modules/kms":
                problems.append(f"{label}: aws_kms_key.{name} belongs in a call of modules/kms")
        for name in stack.resources("aws_s3_bucket"):
            if label != PRIVATE_BUCKET_MODULE and (label, name) not in BUCKET_EXCEPTIONS:
                problems.append(
                    f"{label}: aws_s3_bucket.{name} belongs in a call of modules/private_bucket"
                )
    return problems


def check_monitoring_is_read_only(tree: Tree) -> list[str]:
    """No module reads from monitoring: it watches the others, so they never wait for it and
    the modules form no loop through it."""
    problems: list[str] = []
    for call, body in tree.modules["stack"].modules().items():
        if call != "monitoring" and _mentions(body, "module.monitoring."):
            problems.append(f"modules/stack: module.{call} reads from module.monitoring")
    for name, value in tree.modules["stack"].locals().items():
        if _mentions(value, "module.monitoring."):
            problems.append(f"modules/stack: local.{name} reads from module.monitoring")
    for rtype, name, body in tree.modules["stack"].all_resources():
        if _mentions(body, "module.monitoring."):
            problems.append(f"modules/stack: {rtype}.{name} reads from module.monitoring")
    return problems


DEPLOY_SCRIPT = TERRAFORM_ROOT / "scripts" / "deploy.sh"
AWS_CALL = re.compile(r"\baws\s+([a-z0-9-]+)\s+([a-z0-9-]+)(?:\s+([a-z0-9-]+))?")
# CLI commands whose IAM action is not their own name in PascalCase.
CLI_ACTIONS = {
    ("ecr", "get-login-password"): "ecr:GetAuthorizationToken",
    ("ecs", "wait", "tasks-stopped"): "ecs:DescribeTasks",
    ("ecs", "wait", "services-stable"): "ecs:DescribeServices",
}
# What `docker push` calls (AWS's list of actions for pushing an image), and the role passing
# that registering a task definition and running a task need.
DOCKER_PUSH = {
    "ecr:BatchCheckLayerAvailability",
    "ecr:BatchGetImage",
    "ecr:CompleteLayerUpload",
    "ecr:InitiateLayerUpload",
    "ecr:PutImage",
    "ecr:UploadLayerPart",
}
PASS_ROLE = "iam:PassRole"


def deploy_script_actions(script: str) -> set[str]:
    """The IAM actions deploy.sh needs: one per `aws <service> <command>`, plus docker push."""
    actions = {PASS_ROLE}
    for line in script.splitlines():
        if line.lstrip().startswith("#"):
            continue
        for service, command, argument in AWS_CALL.findall(line):
            special = CLI_ACTIONS.get((service, command, argument)) or CLI_ACTIONS.get(
                (service, command)
            )
            pascal = "".join(part.capitalize() for part in command.split("-"))
            actions.add(special or f"{service}:{pascal}")
        if re.search(r"\bdocker\s+push\b", line):
            actions |= DOCKER_PUSH
    return actions


def _granted_actions(document: dict[str, Any]) -> set[str]:
    return {
        str(action)
        for statement, _ in _statements(document)
        for action in listify(statement.get("actions"))
    }


def check_deploy_role_matches_script(tree: Tree, script: str | None = None) -> list[str]:
    """The deploy role may do exactly what deploy.sh does: nothing it never calls."""
    script = DEPLOY_SCRIPT.read_text(encoding="utf-8") if script is None else script
    needed = deploy_script_actions(script)
    granted = _granted_actions(policy_documents(tree.modules["iam"]).get("deploy", {}))
    return [
        f"modules/iam: deploy role grants {action}, which deploy.sh never calls"
        for action in sorted(granted - needed)
    ] + [
        f"modules/iam: deploy.sh calls {action}, which the deploy role lacks"
        for action in sorted(needed - granted)
    ]


CONFIG_READ = re.compile(r"\$\(cfg ([a-z0-9_]+)\)")


def check_deploy_reaches_every_service(tree: Tree, script: str | None = None) -> list[str]:
    """Every key deploy.sh reads is in the deploy configuration Terraform writes, and every ECS
    service is both named there (so a deploy rolls it to the new image) and handed to the IAM
    module (so the deploy role may update it)."""
    script = DEPLOY_SCRIPT.read_text(encoding="utf-8") if script is None else script
    stack = tree.modules["stack"]
    config = ref(stack.resources("aws_ssm_parameter").get("deploy_config", {}).get("value", ""))
    written = set(re.findall(r"([a-z0-9_]+)\s*=", config))
    problems = [
        f"deploy.sh reads {key}, which modules/stack deploy_config does not write"
        for key in sorted(set(CONFIG_READ.findall(script)) - written)
    ]
    iam_call = str(stack.modules().get("iam", {}))
    outputs = tree.modules["ecs"].outputs()
    for service in tree.modules["ecs"].resources("aws_ecs_service"):
        names = [
            name
            for name, body in outputs.items()
            if ref(body.get("value", "")) == f"aws_ecs_service.{service}.name"
        ]
        used = [f"module.ecs.{name}" for name in names]
        if not any(reference in config for reference in used):
            problems.append(f"modules/ecs aws_ecs_service.{service}: not in the deploy config")
        if not any(reference in iam_call for reference in used):
            problems.append(
                f"modules/ecs aws_ecs_service.{service}: the deploy role cannot update it"
            )
    return problems


# ---------------------------------------------------------------------------
# State addresses: what `terraform plan` would call each resource, read from the code
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Address:
    """A resource as the state names it, below one root.

    `path` carries instance keys where the code spells them out (a for_each over a literal map
    or list, or over another such resource); otherwise it is the whole resource and `expansion`
    says how Terraform multiplies it ("count", "for_each"), so a move must keep that kind.
    """

    root: str
    path: str
    expansion: str = ""

    def line(self) -> str:
        return f"{self.root} {self.path} {self.expansion or '-'}"


def _literal_keys(stack: Stack, expression: Any) -> list[str] | None:
    """The instance keys of a for_each, where the code spells them out; None otherwise."""
    text = ref(expression)
    inner = re.fullmatch(r"toset\((.*)\)", text, flags=re.DOTALL)
    if inner:
        text = inner.group(1).strip()
    if isinstance(expression, list):
        return [str(k) for k in expression]
    match = re.fullmatch(r"local\.(\w+)", text)
    if match:
        value = stack.locals().get(match.group(1))
        if isinstance(value, dict):
            return sorted(k for k in value if k not in COMMENT_KEYS)
        if isinstance(value, list) and all(isinstance(v, str) and "${" not in v for v in value):
            return sorted(value)
        return None
    match = re.fullmatch(r"(aws_\w+)\.(\w+)", text)
    if match:
        target = stack.resources(match.group(1)).get(match.group(2), {})
        if "for_each" in target:
            return _literal_keys(stack, target["for_each"])
    return None


def _instances(stack: Stack, base: str, body: dict[str, Any]) -> list[tuple[str, str]]:
    """(address, expansion) of one resource or module call named `base`."""
    if "for_each" in body:
        keys = _literal_keys(stack, body["for_each"])
        if keys is None:
            return [(base, "for_each")]
        return [(f'{base}["{key}"]', "") for key in keys]
    if "count" in body:
        count = as_int(body["count"])
        if count is None:
            return [(base, "count")]
        return [(f"{base}[{index}]", "") for index in range(count)]
    return [(base, "")]


def _module_stack(tree: Tree, stack: Stack, source: str) -> Stack:
    """A module called from `stack`, taken from the tree when it is one of its modules (so a
    mutated tree is seen), else read from disk."""
    target = (stack.path / source).resolve()
    for module in tree.modules.values():
        if module.path.resolve() == target:
            return module
    return load_stack(target)


def addresses_of(tree: Tree, stack: Stack, root: str, prefix: str = "") -> list[Address]:
    """Every managed resource a root holds in its state, following the module calls."""
    found: list[Address] = []
    for rtype, name, body in stack.all_resources():
        for path, expansion in _instances(stack, f"{prefix}{rtype}.{name}", body):
            found.append(Address(root, path, expansion))
    for call, body in stack.modules().items():
        child = _module_stack(tree, stack, str(body["source"]))
        for path, expansion in _instances(stack, f"{prefix}module.{call}", body):
            if expansion:
                path = f"{path}[*]"
            found.extend(addresses_of(tree, child, root, f"{path}."))
    return found


def moves_of(tree: Tree, stack: Stack, prefix: str = "") -> list[tuple[str, str]]:
    """Every moved block below a root, as (from, to) addresses relative to that root."""
    moves = [(f"{prefix}{frm}", f"{prefix}{to}") for frm, to in stack.moved()]
    for call, body in stack.modules().items():
        child = _module_stack(tree, stack, str(body["source"]))
        for path, expansion in _instances(stack, f"{prefix}module.{call}", body):
            if not expansion:
                moves.extend(moves_of(tree, child, f"{path}."))
    return moves


def root_stacks(tree: Tree) -> dict[str, Stack]:
    stacks = {f"environments/{name}": stack for name, stack in tree.environments.items()}
    stacks["bootstrap"] = tree.bootstrap
    return stacks


def tree_addresses(tree: Tree) -> list[Address]:
    """What `python infra_checks.py --addresses` prints: the data file's format."""
    return [a for root, stack in root_stacks(tree).items() for a in addresses_of(tree, stack, root)]


def _apply_moves(address: str, moves: list[tuple[str, str]]) -> str:
    """Where Terraform would look for `address` after the moves (chains followed)."""
    for _ in range(len(moves) + 1):
        for frm, to in moves:
            if address == frm or address.startswith((f"{frm}.", f"{frm}[")):
                address = to + address[len(frm) :]
                break
        else:
            return address
    raise ValueError(f"moved blocks loop for {address}")


def _expansion_at(addresses: dict[str, str], address: str) -> str | None:
    """The expansion of what stands at `address` ("" for one instance), None if nothing does.
    An instance key of a resource whose keys the code does not spell out is one instance."""
    if address in addresses:
        return addresses[address]
    match = re.fullmatch(r"(.*)\[(\d+|\"[^\"]*\")\]", address)
    if match:
        kind = "count" if match.group(2).isdigit() else "for_each"
        if addresses.get(match.group(1)) == kind:
            return ""
    return None


def _resource_type(address: str) -> str:
    return re.sub(r"\[[^\]]*\]", "", address).split(".")[-2]


ADDRESSES_BEFORE = Path(__file__).resolve().parent / "data" / "state-addresses-before.txt"


def read_addresses(path: Path = ADDRESSES_BEFORE) -> list[Address]:
    rows = [line.split() for line in path.read_text().splitlines() if not line.startswith("#")]
    return [Address(root, address, "" if kind == "-" else kind) for root, address, kind in rows]


def check_state_addresses_kept(tree: Tree, before: list[Address] | None = None) -> list[str]:
    """Every resource the state held before the refactoring is carried by moved blocks to a
    resource of the same type and expansion, so an applied stack is not destroyed and recreated.

    The tree's own stacks are used (not the files), so a mutated copy is checked as such.
    """
    problems: list[str] = []
    before = read_addresses() if before is None else before
    now: dict[str, dict[str, str]] = {}
    moves: dict[str, list[tuple[str, str]]] = {}
    for root, stack in root_stacks(tree).items():
        now[root] = {a.path: a.expansion for a in addresses_of(tree, stack, root)}
        moves[root] = moves_of(tree, stack)
    for old in before:
        new = _apply_moves(old.path, moves[old.root])
        expansion = _expansion_at(now[old.root], new)
        if expansion is None:
            problems.append(f"{old.root}: {old.path} would be destroyed (no resource at {new})")
        elif expansion != old.expansion:
            problems.append(
                f"{old.root}: {old.path} changes from {old.expansion or 'one'} to "
                f"{expansion or 'one'} instance(s) at {new}"
            )
        elif _resource_type(new) != _resource_type(old.path):
            problems.append(f"{old.root}: {old.path} moved to a resource of another type: {new}")
    for root, root_moves in moves.items():
        for frm, _ in root_moves:
            if frm in now[root]:
                problems.append(f"{root}: moved block from {frm}, which still exists")
    targets: dict[tuple[str, str], str] = {}
    for old in before:
        key = (old.root, _apply_moves(old.path, moves[old.root]))
        if key in targets:
            problems.append(f"{old.root}: {targets[key]} and {old.path} both move to {key[1]}")
        targets[key] = old.path
    return problems


ALL_CHECKS = (
    check_database,
    check_buckets_private,
    check_network_exposure,
    check_environments_use_stack,
    check_production_protection,
    check_environment_sizes,
    check_metrics_not_public,
    check_ecr,
    check_tasks,
    check_deploy_identity,
    check_state_and_providers,
    check_module_layout,
    check_database_logins,
    check_policy_wildcards,
    check_no_copies,
    check_monitoring_is_read_only,
    check_deploy_role_matches_script,
    check_deploy_reaches_every_service,
    check_state_addresses_kept,
)


def main(argv: list[str]) -> int:
    """`python infra_checks.py [--parse-only | --addresses]`: parse every .tf file, then run all
    checks (or print the state addresses, in the format of data/state-addresses-before.txt)."""
    files = sorted(TERRAFORM_ROOT.rglob("*.tf"))
    failed = 0
    for path in files:
        try:
            parse_file(path)
        except Exception as error:  # report every unparsable file, not just the first
            failed += 1
            print(f"PARSE ERROR {path.relative_to(TERRAFORM_ROOT)}: {error}")
    print(f"parsed {len(files) - failed}/{len(files)} .tf files with python-hcl2")
    if failed or "--parse-only" in argv:
        return 1 if failed else 0
    tree = load_tree()
    if "--addresses" in argv:
        print("\n".join(address.line() for address in tree_addresses(tree)))
        return 0
    problems = [p for check in ALL_CHECKS for p in check(tree)]
    for problem in problems:
        print(f"VIOLATION {problem}")
    print(f"{len(ALL_CHECKS)} property checks, {len(problems)} violations")
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
