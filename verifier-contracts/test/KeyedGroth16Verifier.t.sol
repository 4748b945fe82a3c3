// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity ^0.8.24;

import {Groth16VerifierCases} from "./Groth16Verifier.t.sol";
import {KeyedGroth16Verifier} from "../src/KeyedGroth16Verifier.sol";
import {Fixtures} from "./fixtures/Fixtures.sol";

/// @notice The keyed verifier (key given to the constructor as immutables): every case of
///         the embedded form (proofs verify, each flipped proof word or input bit reverts,
///         gas <= 189,000), and the constructor refusing malformed keys.
contract KeyedGroth16VerifierTest is Groth16VerifierCases {
    function _deploy() internal override returns (address) {
        return address(new KeyedGroth16Verifier(Fixtures.KEY_DIGEST, Fixtures.keyedKey()));
    }

    /// @dev Deploys with `key` and expects the constructor to revert with `err`.
    function _expectRefused(uint256[18] memory key, bytes memory err) internal {
        vm.expectRevert(err);
        new KeyedGroth16Verifier(Fixtures.KEY_DIGEST, key);
    }

    function test_RevertWhen_keyWordNotBelowP() public {
        for (uint256 i = 0; i < 18; i++) {
            uint256[18] memory key = Fixtures.keyedKey();
            key[i] += P; // the same residue, not canonical
            _expectRefused(key, abi.encodeWithSelector(KeyedGroth16Verifier.KeyWordNotInField.selector, i));
        }
    }

    function test_RevertWhen_g1KeyPointOffCurveOrInfinity() public {
        uint256[3] memory firsts = [uint256(0), 14, 16]; // alpha, IC0, IC1
        for (uint256 j = 0; j < 3; j++) {
            uint256 at = firsts[j];
            uint256[18] memory key = Fixtures.keyedKey();
            key[at + 1] ^= 1;
            _expectRefused(key, abi.encodeWithSelector(KeyedGroth16Verifier.KeyPointInvalid.selector, at));
            key = Fixtures.keyedKey();
            key[at] = 0;
            key[at + 1] = 0;
            _expectRefused(key, abi.encodeWithSelector(KeyedGroth16Verifier.KeyPointInvalid.selector, at));
        }
    }

    function test_RevertWhen_g2KeyPointOffTwistOutsideSubgroupOrInfinity() public {
        uint256[4] memory outside = Fixtures.g2NotInSubgroup();
        for (uint256 j = 0; j < 3; j++) {
            uint256 at = 2 + 4 * j; // -beta, -gamma, -delta
            uint256[18] memory key = Fixtures.keyedKey();
            key[at + 3] ^= 1;
            _expectRefused(key, abi.encodeWithSelector(KeyedGroth16Verifier.KeyPointInvalid.selector, at));
            key = Fixtures.keyedKey();
            for (uint256 i = 0; i < 4; i++) {
                key[at + i] = outside[i];
            }
            _expectRefused(key, abi.encodeWithSelector(KeyedGroth16Verifier.KeyPointInvalid.selector, at));
            key = Fixtures.keyedKey();
            for (uint256 i = 0; i < 4; i++) {
                key[at + i] = 0;
            }
            _expectRefused(key, abi.encodeWithSelector(KeyedGroth16Verifier.KeyPointInvalid.selector, at));
        }
    }

    /// @notice Another key in the same bytecode: the fixture proof no longer verifies.
    function test_RevertWhen_keyDiffers() public {
        uint256[18] memory key = Fixtures.keyedKey();
        // IC1 := -IC1 (still a valid point): vk_x changes, so the pairing fails.
        key[17] = P - key[17];
        KeyedGroth16Verifier other = new KeyedGroth16Verifier(Fixtures.KEY_DIGEST, key);
        vm.expectRevert(KeyedGroth16Verifier.ProofInvalid.selector);
        other.verifyProof(Fixtures.proofTypical(), Fixtures.INPUT_TYPICAL);
    }
}
