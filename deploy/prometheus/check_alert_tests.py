"""Fails unless every alert in rules/ has a promtool test that fires it and one that does not.

promtool runs the tests it is given but cannot tell which alerts have none. Needs PyYAML
(requirements-ops.txt). Usage: python check_alert_tests.py (from anywhere).
"""

import sys
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent


def alerts():
    return {
        rule["alert"]
        for path in sorted((HERE / "rules").glob("*.yml"))
        for group in yaml.safe_load(path.read_text())["groups"]
        for rule in group["rules"]
        if "alert" in rule
    }


def tested():
    """{alert name: {"firing", "quiet"}} as far as the tests check each case."""
    cases = {}
    for path in sorted((HERE / "tests").glob("*.yml")):
        for test in yaml.safe_load(path.read_text())["tests"]:
            for case in test.get("alert_rule_test", []):
                kind = "firing" if case.get("exp_alerts") else "quiet"
                cases.setdefault(case["alertname"], set()).add(kind)
    return cases


def main():
    names, cases = alerts(), tested()
    if not names:
        print("no alerts found in rules/")
        return 1
    missing = [
        f"{name}: no test where it is {kind}"
        for name in sorted(names)
        for kind in ("firing", "quiet")
        if kind not in cases.get(name, set())
    ]
    unknown = sorted(cases.keys() - names)
    for problem in [*missing, *(f"{name}: tested but not defined" for name in unknown)]:
        print(problem)
    if missing or unknown:
        return 1
    print(f"all {len(names)} alerts are tested firing and quiet")
    return 0


if __name__ == "__main__":
    sys.exit(main())
