"""Checks every PromQL query of the Grafana dashboards with promtool.

promtool has no command to check a bare expression, but it checks the expressions of a rules
file: each query becomes a recording rule, with Grafana's variables replaced by values a
Prometheus query could hold. Usage: python3 check_queries.py [dashboard.json ...]
(default: every dashboard beside this script). Exits with promtool's status.
"""

import json
import re
import subprocess
import sys
import tempfile
from pathlib import Path

# Grafana's built-in interval variables, and the dashboards' own variables ("All" selected).
VARIABLES = {
    "__rate_interval": "5m",
    "__interval": "1m",
    "__range": "1h",
    "instance": ".*",
}
VARIABLE = re.compile(r"\$\{(\w+)\}|\$(\w+)")


def queries(panels):
    """Every target expression, rows' nested panels included."""
    for panel in panels:
        yield from queries(panel.get("panels", []))
        for target in panel.get("targets", []):
            if target.get("expr"):
                yield panel["title"], target["expr"]


def substitute(expression):
    def value(match):
        name = match.group(1) or match.group(2)
        if name not in VARIABLES:
            raise SystemExit(f"unknown dashboard variable ${name} in: {expression}")
        return VARIABLES[name]

    return VARIABLE.sub(value, expression)


def rules_file(dashboards):
    """A rules file as JSON (YAML's subset), one recording rule per dashboard query."""
    rules = []
    for dashboard in dashboards:
        for title, expression in queries(json.loads(dashboard.read_text())["panels"]):
            rules.append(
                {
                    "record": f"dashboard:query_{len(rules)}",
                    "expr": substitute(expression),
                    "labels": {"dashboard": dashboard.name, "panel": title},
                }
            )
    if not rules:
        raise SystemExit("no dashboard queries found")
    return {"groups": [{"name": "dashboard-queries", "rules": rules}]}, len(rules)


def main(arguments):
    here = Path(__file__).resolve().parent
    dashboards = [Path(argument) for argument in arguments] or sorted(
        (here / "dashboards").glob("*.json")
    )
    rules, count = rules_file(dashboards)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "dashboard-queries.yml"
        path.write_text(json.dumps(rules, indent=2))
        result = subprocess.run(["promtool", "check", "rules", str(path)], check=False)
    if result.returncode == 0:
        print(f"{count} dashboard queries are valid PromQL")
    return result.returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
