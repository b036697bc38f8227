#!/usr/bin/env bash
# Installs what grite needs on a fresh machine (Node 20 and npm present):
# pnpm at the version package.json pins, the workspace's dependencies
# (better-sqlite3 compiles from source, about a minute), then builds.
set -euo pipefail
cd "$(dirname "$0")/.."

want=$(node -p "require('./package.json').packageManager.split('@')[1].split('+')[0]")
have=$(pnpm --version 2>/dev/null || true)
if [ "$have" != "$want" ]; then
  echo "setup: installing pnpm $want" >&2
  npm install -g "pnpm@$want" --no-fund --no-audit --loglevel=error >&2
fi

# A fresh clone has no node_modules; an existing one is checked quickly.
pnpm install --frozen-lockfile --reporter=append-only >&2
pnpm run -s build >&2
