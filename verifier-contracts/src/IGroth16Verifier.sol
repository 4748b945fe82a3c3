// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity ^0.8.24;

/// @notice The generated Groth16 verifier, as the hub calls it.
interface IGroth16Verifier {
    /// @notice Reverts unless `proof` verifies for the one public `input`; returns true.
    function verifyProof(uint256[8] calldata proof, uint256 input) external view returns (bool);
}

/// @notice The exit-mode proof checker (a later issue builds it): shows that an account of a
///         chain held `amount` units in the chain's last finalized state root, and that the
///         account's owner (its ECgFp5 key) designated `recipient` to receive them on L1.
interface IExitVerifier {
    /// @return True iff `proof` shows the above for exactly these arguments.
    function verifyExit(
        uint64 chainId,
        bytes32 root,
        uint32 account,
        uint64 amount,
        address recipient,
        bytes calldata proof
    ) external view returns (bool);
}
