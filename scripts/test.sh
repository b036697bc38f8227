#!/usr/bin/env bash
# The whole test suite: set up, check generated code, run every test once.
# Ends with one line "N passed, N failed"; exits non-zero on any failure.
set -uo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh || { echo "setup failed"; echo "0 passed, 1 failed"; exit 1; }

status=0
echo "== generated protocol code matches schema/grite.fbs"
if ! pnpm run -s codegen:check; then
  echo "generated code is stale: run 'pnpm codegen' and commit the result"
  status=1
fi

results=$(mktemp -t grite-vitest-XXXXXX.json)
echo "== vitest"
pnpm exec vitest run --reporter=default --reporter=json --outputFile="$results"
vitest_rc=$?

node scripts/summarize.mjs "$results" "$status" "$vitest_rc"
rc=$?
rm -f "$results"
exit $rc
