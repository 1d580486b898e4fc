#!/usr/bin/env bash
# Offline checks of the infrastructure code: Terraform formatting, HCL parsing, checkov, trivy,
# workflow linting and the property tests in deploy/tests. Needs only PyPI (for the tools venvs)
# and, optionally, a terraform binary for `terraform fmt`.
#
#   bash deploy/check-infra.sh            # from anywhere in the repository
#   PYTHON=/usr/bin/python3.13 bash ...   # choose the interpreter (3.12+)
#   INFRA_VENV=/tmp/venv-infra bash ...   # put the tools somewhere else (default .venv-infra)
#
# Tools live in .venv-infra/scan (checkov, trivy, actionlint, check-jsonschema, shellcheck; locked
# with hashes in requirements-infra.txt) and .venv-infra/hcl (python-hcl2, pytest, PyYAML; locked in
# deploy/tests/requirements.txt). Two venvs because checkov's bc-python-hcl2 and python-hcl2 both
# install the top-level `hcl2` package. Re-runs reuse them while the pins are unchanged.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

TF_DIR=deploy/terraform
VENV_ROOT=${INFRA_VENV:-$ROOT/.venv-infra}
SCAN_VENV=$VENV_ROOT/scan
HCL_VENV=$VENV_ROOT/hcl
REPORTS=$VENV_ROOT/reports
SCAN_REQUIREMENTS="requirements-infra.txt"
HCL_REQUIREMENTS="deploy/tests/requirements.txt"

START=$(date +%s)
declare -a RESULTS=()
PASSED=0
FAILED=0
SKIPPED=0

section() {
  SECTION_START=$(date +%s)
  printf '\n=== %s ===\n' "$*"
}

# record NAME pass|fail|skip [detail]
record() {
  local name=$1 status=$2 detail=${3:-} took
  took=$(($(date +%s) - SECTION_START))
  case "$status" in
  pass) PASSED=$((PASSED + 1)) ;;
  fail) FAILED=$((FAILED + 1)) ;;
  skip) SKIPPED=$((SKIPPED + 1)) ;;
  esac
  RESULTS+=("$(printf '%-22s %-5s %4ss  %s' "$name" "${status^^}" "$took" "$detail")")
  printf -- '--> %s: %s %s (%ss)\n' "$name" "${status^^}" "$detail" "$took"
}

# ---------------------------------------------------------------------------
# Python 3.12+: the same search order as scripts/find-python (the app's venv).
# ---------------------------------------------------------------------------

is_recent() {
  "$1" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' >/dev/null 2>&1
}

find_python() {
  local candidate path version
  for candidate in "${PYTHON:-}" python3.13 python3.12; do
    [ -n "$candidate" ] || continue
    path=$(command -v "$candidate" 2>/dev/null) || continue
    if is_recent "$path"; then
      # Resolve pyenv shims to the real interpreter.
      "$path" -c 'import sys; print(sys.executable)'
      return 0
    fi
  done
  if command -v pyenv >/dev/null 2>&1; then
    for version in $(pyenv versions --bare 2>/dev/null |
      grep -E '^3\.1[3-9](\.[0-9]+)?$|^3\.12(\.[0-9]+)?$' | sort -t. -k1,1n -k2,2nr -k3,3nr); do
      path=$(PYENV_VERSION="$version" pyenv which python3 2>/dev/null) || continue
      if is_recent "$path"; then
        echo "$path"
        return 0
      fi
    done
  fi
  if command -v python3 >/dev/null 2>&1 && is_recent python3; then
    command -v python3
    return 0
  fi
  echo "check-infra needs Python 3.12 or newer: install python3.13/3.12 or set PYTHON=..." >&2
  return 1
}

# ensure_venv DIR REQUIREMENTS: (re)create DIR and install the pins unless they are installed.
ensure_venv() {
  local dir=$1 requirements=$2 stamp wanted
  wanted="$("$PYTHON_BIN" -c 'import sys; print(sys.version)' | head -n1) $(sha256sum "$requirements" | cut -d' ' -f1)"
  stamp=$dir/.installed
  if [ -x "$dir/bin/python" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$wanted" ] &&
    "$dir/bin/python" -c 'pass' 2>/dev/null; then
    echo "$dir: up to date"
    return 0
  fi
  echo "$dir: installing $requirements"
  rm -rf "$dir"
  "$PYTHON_BIN" -m venv "$dir" || return 1
  local log=$dir.pip.log
  if ! "$dir/bin/python" -m pip install --quiet --disable-pip-version-check --require-hashes \
    -r "$requirements" >"$log" 2>&1; then
    tail -n 40 "$log"
    return 1
  fi
  echo "$wanted" >"$stamp"
}

section "Tools"
PYTHON_BIN=$(find_python)
echo "python: $PYTHON_BIN ($("$PYTHON_BIN" --version 2>&1))"
mkdir -p "$VENV_ROOT" "$REPORTS"
tools_ok=true
ensure_venv "$SCAN_VENV" "$SCAN_REQUIREMENTS" || tools_ok=false
ensure_venv "$HCL_VENV" "$HCL_REQUIREMENTS" || tools_ok=false
for tool in "$SCAN_VENV/bin/checkov" "$SCAN_VENV/bin/trivy" "$SCAN_VENV/bin/actionlint" \
  "$SCAN_VENV/bin/check-jsonschema" "$SCAN_VENV/bin/shellcheck" "$HCL_VENV/bin/pytest"; do
  [ -x "$tool" ] || {
    echo "missing $tool"
    tools_ok=false
  }
done
python_hcl2=$("$HCL_VENV/bin/python" -c 'import importlib.metadata as m; print(m.version("python-hcl2"))' 2>/dev/null || echo "?")
echo "checkov $("$SCAN_VENV/bin/checkov" --version 2>/dev/null || echo '?'), python-hcl2 $python_hcl2," \
  "trivy $("$SCAN_VENV/bin/trivy" --version 2>/dev/null | awk '/^Version:/ {print $2; exit}')," \
  "actionlint $("$SCAN_VENV/bin/actionlint" -version 2>/dev/null | head -n1 | awk '{print $NF}')"
if [ "$tools_ok" = true ]; then
  record "tools" pass
else
  record "tools" fail "see above"
  echo "check-infra: cannot continue without the tools" >&2
  exit 1
fi
export PATH="$SCAN_VENV/bin:$PATH"

# ---------------------------------------------------------------------------
section "terraform fmt -check -recursive"
if command -v terraform >/dev/null 2>&1; then
  # fmt needs no CLI configuration; do not warn about a missing ~/.terraformrc.
  if TF_CLI_CONFIG_FILE=/dev/null terraform fmt -check -recursive -diff "$TF_DIR"; then
    record "terraform fmt" pass "$(TF_CLI_CONFIG_FILE=/dev/null terraform version | head -n1)"
  else
    record "terraform fmt" fail "run: terraform fmt -recursive $TF_DIR"
  fi
else
  echo "no terraform binary on PATH: skipped"
  record "terraform fmt" skip "no terraform binary"
fi

# ---------------------------------------------------------------------------
section "HCL parse (python-hcl2)"
if "$HCL_VENV/bin/python" deploy/tests/infra_checks.py --parse-only; then
  record "hcl parse" pass "$(find "$TF_DIR" -name '*.tf' | wc -l) files"
else
  record "hcl parse" fail
fi

# ---------------------------------------------------------------------------
section "checkov (terraform, offline)"
checkov_json=$REPORTS/checkov.json
rm -f "$checkov_json"
checkov_rc=0
LOG_LEVEL=ERROR "$SCAN_VENV/bin/checkov" -d "$TF_DIR" --framework terraform --skip-download \
  --compact --quiet -o cli -o json --output-file-path "console,$checkov_json" || checkov_rc=$?
counts=$("$HCL_VENV/bin/python" - "$checkov_json" <<'PY' || echo "? ? ?"
import json, sys
data = json.load(open(sys.argv[1]))
data = data[0] if isinstance(data, list) else data
s = data["summary"]
print(s["passed"], s["failed"], s["skipped"], s.get("parsing_errors", 0))
PY
)
read -r ck_passed ck_failed ck_skipped ck_parse_errors <<<"$counts"
echo "checkov: passed=$ck_passed failed=$ck_failed skipped=$ck_skipped parsing_errors=${ck_parse_errors:-?}"
echo "inline suppressions (checkov:skip):"
grep -rhoE 'checkov:skip=[A-Z0-9_]+' "$TF_DIR" | sort | uniq -c | sed 's/checkov:skip=//'
if [ "$checkov_rc" -eq 0 ] && [ "$ck_failed" = "0" ] && [ "${ck_parse_errors:-0}" = "0" ]; then
  record "checkov" pass "passed=$ck_passed failed=$ck_failed skipped=$ck_skipped"
else
  record "checkov" fail "passed=$ck_passed failed=$ck_failed skipped=$ck_skipped (rc $checkov_rc)"
fi

# ---------------------------------------------------------------------------
section "trivy config (HIGH,CRITICAL)"
trivy_rc=0
"$SCAN_VENV/bin/trivy" config --quiet --skip-check-update --skip-version-check \
  --cache-dir "$VENV_ROOT/trivy-cache" --severity HIGH,CRITICAL --exit-code 1 \
  "$TF_DIR" || trivy_rc=$?
echo "inline ignores (trivy:ignore):"
grep -rhoE 'trivy:ignore:[A-Z0-9-]+' "$TF_DIR" | sort | uniq -c | sed 's/trivy:ignore://'
if [ "$trivy_rc" -eq 0 ]; then
  record "trivy" pass "no HIGH/CRITICAL misconfigurations"
else
  record "trivy" fail "HIGH/CRITICAL findings above (rc $trivy_rc)"
fi

# ---------------------------------------------------------------------------
mapfile -t WORKFLOWS < <(find .github/workflows -maxdepth 1 -type f \( -name '*.yml' -o -name '*.yaml' \) | sort)
section "actionlint (with shellcheck) on ${#WORKFLOWS[@]} workflows"
if [ ${#WORKFLOWS[@]} -eq 0 ]; then
  record "actionlint" fail "no workflows found"
elif "$SCAN_VENV/bin/actionlint" -shellcheck "$SCAN_VENV/bin/shellcheck" -pyflakes= "${WORKFLOWS[@]}"; then
  record "actionlint" pass "${#WORKFLOWS[@]} files"
else
  record "actionlint" fail
fi

section "check-jsonschema vendor.github-workflows"
if [ ${#WORKFLOWS[@]} -gt 0 ] &&
  "$SCAN_VENV/bin/check-jsonschema" --builtin-schema vendor.github-workflows "${WORKFLOWS[@]}"; then
  record "workflow schema" pass "${#WORKFLOWS[@]} files"
else
  record "workflow schema" fail
fi

section "shellcheck (infra scripts)"
mapfile -t SCRIPTS < <(find deploy/check-infra.sh "$TF_DIR" -type f -name '*.sh' | sort)
if "$SCAN_VENV/bin/shellcheck" "${SCRIPTS[@]}"; then
  record "shellcheck" pass "${#SCRIPTS[@]} scripts"
else
  record "shellcheck" fail
fi

# ---------------------------------------------------------------------------
section "pytest deploy/tests (property tests, database roles)"
# The database roles test needs a PostgreSQL server (PGHOST/PGPORT) and the app's virtualenv
# (APP_PYTHON, default .venv/bin/python); -rs prints why it was skipped where one is missing.
pytest_log=$REPORTS/pytest.log
if "$HCL_VENV/bin/python" -m pytest -c deploy/tests/pytest.ini --rootdir deploy/tests \
  --confcutdir deploy/tests -q -rs deploy/tests | tee "$pytest_log"; then
  record "pytest" pass "$(tail -n 1 "$pytest_log")"
else
  record "pytest" fail
fi

# ---------------------------------------------------------------------------
section "Summary"
printf '%s\n' "${RESULTS[@]}"
echo "total time: $(($(date +%s) - START))s"
echo "check-infra: ${PASSED} passed, ${FAILED} failed, ${SKIPPED} skipped"
[ "$FAILED" -eq 0 ]
