#!/usr/bin/env bash
# Installs the Foundry project's pinned tools from npm (forge, anvil, solc-js, forge-std)
# into verifier-contracts/node_modules, exactly as package-lock.json says. Idempotent: a
# second run with an up-to-date node_modules does nothing. Safe to run concurrently (the
# Rust tests that need forge or anvil all call it).
set -euo pipefail
cd "$(dirname "$0")"
exec 9>.install.lock
flock 9
stamp=node_modules/.bulwark-installed
if [[ -f $stamp && $stamp -nt package-lock.json && -x node_modules/.bin/forge && -x node_modules/.bin/anvil ]]; then
  exit 0
fi
npm ci --no-audit --no-fund --loglevel=error
touch "$stamp"
