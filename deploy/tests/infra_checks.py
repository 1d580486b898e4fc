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

_OPTIONS = hcl2.SerializationOptions(
    strip_string_quotes=True, explicit_blocks=False, with_comments=False
)


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
            merged.update(entry)
        return merged

    def terraform_blocks(self) -> list[dict[str, Any]]:
        return self.blocks.get("terraform", [])


def load_stack(path: Path) -> Stack:
    stack = Stack(path=path, files={p.name for p in path.iterdir() if p.is_file()})
    for tf in sorted(path.glob("*.tf")):
        for key, value in parse_file(tf).items():
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
        if not ref(db.get("kms_key_id", "")).startswith("aws_kms_key."):
            problems.append(f"{where}: kms_key_id must reference a customer-managed aws_kms_key")
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
        if r.where.startswith("modules/alb ") and r.security_group == "aws_security_group.tasks.id"
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

    tasks_output = tree.modules["alb"].outputs().get("tasks_security_group_id", {})
    if ref(tasks_output.get("value", "")) != "aws_security_group.tasks.id":
        problems.append("modules/alb: output tasks_security_group_id must be the tasks group")
    calls = tree.modules["stack"].modules()
    rds = calls.get("rds", {})
    if ref(rds.get("client_security_group_id", "")) != "module.alb.tasks_security_group_id":
        problems.append("modules/stack: the database client must be the tasks group")
    ecs = calls.get("ecs", {})
    if ref(ecs.get("security_group_id", "")) != "module.alb.tasks_security_group_id":
        problems.append("modules/stack: the service must run in the tasks group")
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
)


def main(argv: list[str]) -> int:
    """`python infra_checks.py [--parse-only]`: parse every .tf file, then run all checks."""
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
    problems = [p for check in ALL_CHECKS for p in check(tree)]
    for problem in problems:
        print(f"VIOLATION {problem}")
    print(f"{len(ALL_CHECKS)} property checks, {len(problems)} violations")
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
