#!/usr/bin/env bash
# Compiles the contracts (forge build over solc-js) into .artifacts-build/ and writes their
# ABI + bytecode to artifacts/*.json (tools/artifacts.js). With --check it writes nothing
# and exits 1 when a checked-in artifact differs from what the sources compile to
# (tests/artifacts.rs runs that). Run it after changing a contract or exporting a verifier.
set -euo pipefail
cd "$(dirname "$0")"
./install.sh
node_modules/.bin/forge build --ast --out .artifacts-build/out --cache-path .artifacts-build/cache >/dev/null
exec node tools/artifacts.js .artifacts-build/out "$@"
