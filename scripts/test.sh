#!/usr/bin/env bash
# Sets everything up, then runs the whole test suite and prints "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh || exit 1
export AWS_EC2_METADATA_DISABLED=true TURBO_TELEMETRY_DISABLED=1
mkdir -p .test-results
pnpm exec vitest run --reporter=default --reporter=json --outputFile.json=.test-results/vitest.json
status=$?
# publint + @arethetypeswrong/cli over every published package (issue 15); a failure fails the run
# and counts as a failed suite in the closing line.
failed_checks=0
node scripts/check-packages.mjs || failed_checks=$((failed_checks + 1))
PYRAMIDS_FAILED_CHECKS=$failed_checks node scripts/summarize-tests.mjs .test-results/vitest.json || status=1
exit $status
