//! Prints how many rows (gates) each piece of the leaf circuit costs, before padding, and
//! with `--circuits` the degree of the leaf (K = 2, 4, 8, 16, with signatures), leaf-pair,
//! node and root circuits (slow: it builds them all).
//!
//! `cargo run --release -p bulwark-circuits --example rows [-- --circuits]`

use bulwark_circuits::gadgets::keccak::{keccak_f, StateTarget};
use bulwark_circuits::gadgets::sha256::{compress, DigestTarget, WordTarget};
use bulwark_circuits::leaf::{LeafCircuit, LeafParams};
use bulwark_circuits::node::Aggregation;
use bulwark_circuits::op::{OpSlot, SlotContext, SlotParams, SlotState};
use bulwark_circuits::root::RootCircuit;
use bulwark_circuits::Builder;
use plonky2::plonk::circuit_data::CircuitConfig;

fn main() {
    let config = CircuitConfig::standard_recursion_config();

    let mut b = Builder::new(config.clone());
    let state: DigestTarget = b.add_virtual_target_arr();
    let block: [WordTarget; 16] = b.add_virtual_target_arr();
    let before = b.num_gates();
    compress(&mut b, &state, &block);
    println!(
        "sha256 compression (64-byte block): {} rows",
        b.num_gates() - before
    );

    let mut b = Builder::new(config.clone());
    let state: StateTarget =
        core::array::from_fn(|_| core::array::from_fn(|_| b.add_virtual_bool_target_safe()));
    let before = b.num_gates();
    keccak_f(&mut b, &state);
    println!(
        "keccak-f[1600] permutation (136-byte block, generic arithmetic): {} rows",
        b.num_gates() - before
    );

    let mut b = Builder::new(config.clone());
    let params = SlotParams {
        depth: 32,
        max_balance: (1 << 62) - 1,
    };
    let fee_recipient = b.add_virtual_target();
    let ctx = SlotContext {
        fee_recipient,
        chain: b.add_virtual_target_arr(),
    };
    let state = SlotState {
        root: b.add_virtual_hash(),
        next_deposit: b.add_virtual_target(),
        pending_fees: b.add_virtual_target(),
    };
    let before = b.num_gates();
    OpSlot::add(&mut b, &params, &ctx, state, 0);
    println!(
        "op slot (depth 32, without its share of the commitment hash): {} rows",
        b.num_gates() - before
    );

    for k in [16, 32, 64] {
        let rows = LeafCircuit::rows(
            LeafParams {
                slot: params,
                ops: k,
            },
            config.clone(),
        );
        println!(
            "leaf of K = {k} (depth 32): {rows} rows before padding, {:.1} per op",
            rows as f64 / k as f64
        );
    }

    if std::env::args().any(|a| a == "--circuits") {
        circuits(&config_for_circuits(), params);
    }
}

fn config_for_circuits() -> CircuitConfig {
    CircuitConfig::standard_recursion_config()
}

fn circuits(config: &CircuitConfig, slot: SlotParams) {
    for ops in [2, 4, 8, 16] {
        let leaf = LeafCircuit::build(LeafParams { slot, ops }, config.clone());
        let agg = Aggregation::build(&leaf.data, config).expect("aggregation builds");
        println!(
            "K = {ops:2}: leaf 2^{}, leaf pair and node 2^{} (node: {} gate types, {} constraints, quotient degree factor {})",
            leaf.data.common.degree_bits(),
            agg.node.data.common.degree_bits(),
            agg.node.data.common.gates.len(),
            agg.node.data.common.num_gate_constraints,
            agg.node.data.common.quotient_degree_factor,
        );
        if ops == 2 {
            let root = RootCircuit::build(&agg.node, config.clone()).expect("root builds");
            println!("root 2^{}", root.data.common.degree_bits());
        }
    }
}
