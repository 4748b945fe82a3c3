//! Prints how many rows (gates) each piece of the leaf circuit costs, before padding.
//!
//! `cargo run --release -p bulwark-circuits --example rows`

use bulwark_circuits::gadgets::keccak::{keccak_f, StateTarget};
use bulwark_circuits::gadgets::sha256::{compress, DigestTarget, WordTarget};
use bulwark_circuits::op::{OpSlot, SlotContext, SlotParams, SlotState};
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

    let mut b = Builder::new(config);
    let params = SlotParams {
        depth: 32,
        max_balance: (1 << 62) - 1,
    };
    let fee_recipient = b.add_virtual_target();
    let ctx = SlotContext {
        fee_recipient_bits: b.split_le(fee_recipient, params.depth),
        chain: b.add_virtual_target_arr(),
    };
    let state = SlotState {
        root: b.add_virtual_hash(),
        next_deposit: b.add_virtual_target(),
    };
    let before = b.num_gates();
    OpSlot::add(&mut b, &params, &ctx, state);
    println!(
        "op slot (depth 32, without its share of the commitment hash): {} rows",
        b.num_gates() - before
    );
}
