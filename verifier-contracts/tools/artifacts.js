#!/usr/bin/env node
// Writes (or with --check, compares) artifacts/<Contract>.json: the ABI and bytecode of each
// deployable contract, taken from a `forge build` output folder (argv[2]). The Rust side
// (src/artifacts.rs, the alloy bindings, the deploy helper) reads only these files, so
// deploying needs no Solidity compiler.
//
// Contracts: the hub, the test fixture verifier, and every verifier that
// `bulwark export-verifier` wrote into src/ (src/*Groth16Verifier.sol).
"use strict";
const fs = require("fs");
const path = require("path");
const crypto = require("crypto");

const root = path.join(__dirname, "..");
const outDir = process.argv[2];
const check = process.argv.includes("--check");

const contracts = [
  ["src/BulwarkHub.sol", "BulwarkHub"],
  ["test/fixtures/FixtureGroth16Verifier.sol", "FixtureGroth16Verifier"],
];
for (const f of fs.readdirSync(path.join(root, "src")).sort()) {
  // Generated verifiers; IGroth16Verifier.sol holds only interfaces.
  if (f.endsWith("Groth16Verifier.sol") && f !== "IGroth16Verifier.sol") {
    contracts.push(["src/" + f, f.replace(/\.sol$/, "")]);
  }
}

function artifact(sourcePath, name) {
  const built = JSON.parse(
    fs.readFileSync(path.join(outDir, path.basename(sourcePath), name + ".json"), "utf8"),
  );
  const source = fs.readFileSync(path.join(root, sourcePath));
  const settings = built.metadata.settings;
  return {
    format: "bulwark-contract-artifact",
    version: 1,
    contractName: name,
    sourcePath,
    sourceSha256: crypto.createHash("sha256").update(source).digest("hex"),
    compiler: built.metadata.compiler.version,
    optimizerRuns: settings.optimizer.runs,
    evmVersion: settings.evmVersion,
    abi: built.abi,
    bytecode: built.bytecode.object,
    deployedBytecode: built.deployedBytecode.object,
    ...immutables(built),
  };
}

// Where the runtime code holds each immutable, by name: {"NAME": [byte offset, ...]} (32
// bytes each). solc leaves those bytes zero in deployedBytecode and the constructor fills
// them, so the Rust side can check deployed code exactly (src/artifacts.rs). solc keys
// them by AST id; the AST (`forge build --ast`) names them. Absent for contracts without.
function immutables(built) {
  const refs = built.deployedBytecode.immutableReferences || {};
  if (Object.keys(refs).length === 0) return {};
  const names = {};
  (function walk(node) {
    if (Array.isArray(node)) return node.forEach(walk);
    if (node === null || typeof node !== "object") return;
    if (node.nodeType === "VariableDeclaration" && node.mutability === "immutable") names[node.id] = node.name;
    Object.values(node).forEach(walk);
  })(built.ast);
  const out = {};
  for (const [id, uses] of Object.entries(refs)) {
    if (!(id in names)) throw new Error("immutable with AST id " + id + " not found in the AST (forge build --ast?)");
    if (uses.some((u) => u.length !== 32)) throw new Error("immutable " + names[id] + " is not 32 bytes");
    out[names[id]] = uses.map((u) => u.start).sort((a, b) => a - b);
  }
  const sorted = {};
  for (const k of Object.keys(out).sort()) sorted[k] = out[k];
  return { immutableReferences: sorted };
}

const stale = [];
const live = new Set();
for (const [sourcePath, name] of contracts) {
  const file = path.join(root, "artifacts", name + ".json");
  live.add(name + ".json");
  const text = JSON.stringify(artifact(sourcePath, name), null, 2) + "\n";
  if (check) {
    if (!fs.existsSync(file) || fs.readFileSync(file, "utf8") !== text) stale.push(name);
  } else {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const tmp = file + ".tmp";
    fs.writeFileSync(tmp, text);
    fs.renameSync(tmp, file);
  }
}
// An artifact whose contract is gone is stale too.
for (const f of fs.readdirSync(path.join(root, "artifacts"))) {
  if (f.endsWith(".json") && !live.has(f)) stale.push(f + " (no such contract any more)");
}
if (check && stale.length > 0) {
  console.error("stale artifacts: " + stale.join(", ") + "; regenerate with verifier-contracts/artifacts.sh");
  process.exit(1);
}
console.log((check ? "artifacts current: " : "wrote artifacts: ") + contracts.map((c) => c[1]).join(", "));
