#!/usr/bin/env bash
# grite's main job on a scratch repository: set up, then create, list and show
# issues through the daemon (spawned on the first command, stopped at the end).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh

root=$PWD
grite() { node "$root/packages/cli/bin/run.cjs" "$@"; }
# Shows each command as a user would type it, then runs it.
show() { printf '\n$ grite %s\n' "$*"; grite "$@"; }
scratch=$(mktemp -d -t grite-demo-XXXXXX)
trap 'grite daemon stop >/dev/null 2>&1 || true; rm -rf "$scratch"' EXIT

cd "$scratch"
git init -q -b main
echo "== scratch repository: $scratch"
show init --no-agents-md

first=$(grite issue create --title "Crash when the config file is empty" --body "Steps: touch config.toml; run." --label bug --json \
  | node -e 'let s="";process.stdin.on("data",c=>s+=c).on("end",()=>console.log(JSON.parse(s).data.issue_id))')
second=$(grite issue create --title "Document the --json envelope" --label docs --json \
  | node -e 'let s="";process.stdin.on("data",c=>s+=c).on("end",()=>console.log(JSON.parse(s).data.issue_id))')
echo "created ${first:0:8} and ${second:0:8}"
show issue dep add "${first:0:8}" --target "${second:0:8}" --type blocks
show issue comment "${first:0:8}" --body "Reproduced on main."
show issue list
show issue ready
show issue show "${first:0:6}"
show issue list --label bug --json
show daemon status
