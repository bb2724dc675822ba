#!/usr/bin/env bash
# Runs the whole test suite and ends with a plain "N passed, N failed" line; exits non-zero on
# any failure (or when no test ran).
set -uo pipefail
cd "$(dirname "$0")/.."
report=$(mktemp)
npx vitest run --reporter=default --reporter=json --outputFile.json="$report" "$@"
status=$?
node -e '
const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
const skipped = (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0);
console.log(`${r.numPassedTests} passed, ${r.numFailedTests} failed` + (skipped ? `, ${skipped} skipped` : ""));
process.exit(r.numFailedTests > 0 || r.numPassedTests === 0 || !r.success ? 1 : 0);
' "$report" || status=1
rm -f "$report"
exit $status
