#!/usr/bin/env bash
# Runs the whole test suite and ends with a plain "N passed, N failed" line; exits non-zero on
# any failure (or when no test ran). Two vitest runs: the suite, then the package tests alone
# (test/package: they pack, install and compile, so they must not share the cores).
# Arguments go to the first run only; with arguments the package run is skipped (a focused run).
set -uo pipefail
cd "$(dirname "$0")/.."
reports=()
status=0
report=$(mktemp); reports+=("$report")
npx vitest run --reporter=default --reporter=json --outputFile.json="$report" "$@" || status=1
if [ $# -eq 0 ]; then
  report=$(mktemp); reports+=("$report")
  VSR1_TEST_PACKAGE=1 npx vitest run --reporter=default --reporter=json --outputFile.json="$report" || status=1
fi
node -e '
const fs = require("fs");
let passed = 0, failed = 0, skipped = 0, ok = true;
for (const f of process.argv.slice(1)) {
  let r;
  try { r = JSON.parse(fs.readFileSync(f, "utf8")); } catch { console.error(`no test report in ${f}`); ok = false; continue; }
  passed += r.numPassedTests; failed += r.numFailedTests;
  skipped += (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0);
  if (!r.success || r.numPassedTests === 0) ok = false;
}
console.log(`${passed} passed, ${failed} failed` + (skipped ? `, ${skipped} skipped` : ""));
process.exit(failed > 0 || passed === 0 || !ok ? 1 : 0);
' "${reports[@]}" || status=1
rm -f "${reports[@]}"
exit $status
