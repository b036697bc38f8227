#!/usr/bin/env bash
# 16 concurrent CLI processes, each running `grite issue create --json` in a
# loop for SECONDS (default 5) against one fresh repository; the first one
# auto-spawns the daemon, which then serves all of them. Prints the
# acknowledged events/s. `pnpm build` first. Never part of the test run.
#   bash bench/daemon/cli-writers.sh [SECONDS]
set -euo pipefail
SECS=${1:-5}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
G="node $ROOT/packages/cli/bin/run.cjs"
export XDG_RUNTIME_DIR=$(mktemp -d /tmp/grite-bench-cli-xdg-XXXXXX)
REPO=$(mktemp -d /tmp/grite-bench-cli-XXXXXX)
trap 'cd /; (cd "$REPO" && $G daemon stop --json >/dev/null 2>&1) || true; rm -rf "$REPO" "$XDG_RUNTIME_DIR"' EXIT
git init -q "$REPO"
cd "$REPO"
$G init --json >/dev/null
$G issue create --title warm-up --json >/dev/null
end=$(( $(date +%s) + SECS ))
for w in $(seq 16); do
  (
    n=0
    while [ "$(date +%s)" -lt "$end" ]; do $G issue create --title "w$w $n" --json >/dev/null && n=$((n + 1)); done
    echo "$n" > "$REPO/.git/bench-count.$w"
  ) &
done
wait
total=$(cat "$REPO"/.git/bench-count.* | paste -sd+ | bc)
echo "{\"cli_processes\": 16, \"seconds\": $SECS, \"events\": $total, \"events_per_s\": $(echo "scale=1; $total / $SECS" | bc)}"
