#!/usr/bin/env bash
# Installs the tools (install.sh) and runs the Foundry tests; extra arguments go to forge.
set -euo pipefail
cd "$(dirname "$0")"
./install.sh
exec node_modules/.bin/forge test "$@"
