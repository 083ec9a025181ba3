#!/usr/bin/env bash
# Sets everything up, then runs the whole test suite and prints "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh || exit 1
export AWS_EC2_METADATA_DISABLED=true TURBO_TELEMETRY_DISABLED=1
mkdir -p .test-results
pnpm exec vitest run --reporter=default --reporter=json --outputFile.json=.test-results/vitest.json
status=$?
# What the README promises besides the tests: lint, types (every package and its tests),
# formatting, and publint + @arethetypeswrong/cli over every published package. Each check
# that fails fails the run and counts as a failed suite in the closing line.
failed_checks=0
run_check() {
  echo "== $*"
  "$@" || { failed_checks=$((failed_checks + 1)); echo "== failed: $*"; }
}
run_check pnpm lint
run_check pnpm typecheck
run_check pnpm exec prettier --check . --log-level warn
run_check node scripts/check-packages.mjs
PYRAMIDS_FAILED_CHECKS=$failed_checks node scripts/summarize-tests.mjs .test-results/vitest.json || status=1
exit $status
