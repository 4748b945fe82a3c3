// Computes Poseidon-BN254 permutations with circomlibjs, an implementation independent of
// ours, for the Rust test `wrap::poseidon_bn254::tests::matches_circomlibjs`.
// Input: a JSON file [{ "init": "<decimal>", "inputs": ["<decimal>", ...] }, ...].
// Output (stdout): JSON [[state_0, ..., state_{t-1}] as decimal strings, ...], the whole
// state after one permutation of [init, inputs...]. Both circomlibjs implementations (the
// optimized WASM one and the reference one) must agree, or this exits non-zero.
import { readFileSync } from "node:fs";
import { buildPoseidon, buildPoseidonReference } from "circomlibjs";

const cases = JSON.parse(readFileSync(process.argv[2], "utf8"));
const fast = await buildPoseidon();
const reference = await buildPoseidonReference();
const F = fast.F;
const out = cases.map(({ init, inputs }) => {
  const t = inputs.length + 1;
  const a = fast(inputs.map(BigInt), BigInt(init), t).map((x) => F.toObject(x).toString());
  const b = reference(inputs.map(BigInt), BigInt(init), t).map((x) => reference.F.toObject(x).toString());
  if (JSON.stringify(a) !== JSON.stringify(b)) {
    console.error("circomlibjs implementations disagree", { init, inputs, a, b });
    process.exit(1);
  }
  return a;
});
process.stdout.write(JSON.stringify(out));
