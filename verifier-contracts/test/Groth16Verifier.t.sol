// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity ^0.8.24;

import {Test} from "forge-std/Test.sol";
import {FixtureGroth16Verifier} from "./fixtures/FixtureGroth16Verifier.sol";
import {Fixtures} from "./fixtures/Fixtures.sol";

/// @notice The generated verifier against proofs made by arkworks (test/fixtures, written by
///         `cargo test -p bulwark-contracts --test fixtures`). Both forms run these cases:
///         the key embedded as constants (Groth16VerifierTest) and the key given to the
///         constructor (KeyedGroth16VerifierTest, test/KeyedGroth16Verifier.t.sol). They share
///         one ABI, so the keyed verifier is driven through the fixture verifier's type.
abstract contract Groth16VerifierCases is Test {
    uint256 internal constant P = 0x30644e72e131a029b85045b68181585d97816a916871ca8d3c208c16d87cfd47;
    uint256 internal constant R = 0x30644e72e131a029b85045b68181585d2833e84879b9709143e1f593f0000001;

    FixtureGroth16Verifier internal verifier;

    /// @dev Deploys the verifier under test, for test/fixtures/vk.json.
    function _deploy() internal virtual returns (address);

    function setUp() public {
        verifier = FixtureGroth16Verifier(_deploy());
    }

    /// @dev Calls verifyProof and returns (success, revert selector or 0).
    function _try(uint256[8] memory proof, uint256 input) internal view returns (bool ok, bytes4 sel) {
        // A refused point makes the pairing precompile consume the gas it was given: cap it.
        (bool success, bytes memory ret) = address(verifier).staticcall{gas: 400_000}(
            abi.encodeCall(FixtureGroth16Verifier.verifyProof, (proof, input))
        );
        if (success) {
            require(ret.length == 32 && abi.decode(ret, (bool)), "success must return true");
            return (true, bytes4(0));
        }
        require(ret.length == 4, "revert data must be a bare custom error");
        return (false, bytes4(ret));
    }

    function test_validProofsVerify() public view {
        assertTrue(verifier.verifyProof(Fixtures.proofTypical(), Fixtures.INPUT_TYPICAL));
        assertTrue(verifier.verifyProof(Fixtures.proofZero(), Fixtures.INPUT_ZERO));
        assertTrue(verifier.verifyProof(Fixtures.proofMax(), Fixtures.INPUT_MAX));
        assertEq(Fixtures.INPUT_MAX, R - 1);
    }

    function test_circuitDigest() public view {
        assertEq(verifier.CIRCUIT_DIGEST(), bytes32("bulwark-test-circuit:x=a*b,b*b=b"));
    }

    /// @notice The gas target of issue 5: at most 189,000 (floor 187,150).
    function test_verifyGasWithinTarget() public {
        verifier.verifyProof(Fixtures.proofTypical(), Fixtures.INPUT_TYPICAL);
        // Gas of the verifier's own frame (what a caller pays beyond its CALL).
        uint256 used = vm.lastCallGas().gasTotalUsed;
        assertLe(used, 189_000, "verifyProof above 189,000 gas");
        assertGe(used, 187_150, "below the precompile floor: the test measures the wrong thing");
        emit log_named_uint("verifyProof gas (callee frame)", used);
    }

    function test_flipEveryProofWordReverts() public view {
        uint256[8] memory good = Fixtures.proofTypical();
        for (uint256 i = 0; i < 8; i++) {
            for (uint256 bit = 0; bit < 256; bit += 51) {
                uint256[8] memory bad = good;
                bad[i] ^= (1 << bit);
                (bool ok, bytes4 sel) = _try(bad, Fixtures.INPUT_TYPICAL);
                assertFalse(ok, "a flipped proof word verified");
                assertTrue(
                    sel == FixtureGroth16Verifier.ProofMalformed.selector
                        || sel == FixtureGroth16Verifier.ProofInvalid.selector,
                    "unexpected revert reason"
                );
            }
        }
    }

    function test_flipEveryInputBitReverts() public view {
        uint256[8] memory proof = Fixtures.proofTypical();
        for (uint256 bit = 0; bit < 253; bit++) {
            (bool ok, bytes4 sel) = _try(proof, Fixtures.INPUT_TYPICAL ^ (1 << bit));
            assertFalse(ok);
            assertEq(sel, FixtureGroth16Verifier.ProofInvalid.selector);
        }
    }

    function test_RevertWhen_inputIsR() public {
        vm.expectRevert(FixtureGroth16Verifier.PublicInputNotInField.selector);
        verifier.verifyProof(Fixtures.proofZero(), R);
    }

    /// @notice input + r is the same scalar to ecMul: it must be refused, not accepted.
    function test_RevertWhen_inputAliasesModR() public {
        vm.expectRevert(FixtureGroth16Verifier.PublicInputNotInField.selector);
        verifier.verifyProof(Fixtures.proofTypical(), Fixtures.INPUT_TYPICAL + R);
    }

    function testFuzz_RevertWhen_inputNotBelowR(uint256 input) public {
        input = bound(input, R, type(uint256).max);
        vm.expectRevert(FixtureGroth16Verifier.PublicInputNotInField.selector);
        verifier.verifyProof(Fixtures.proofTypical(), input);
    }

    function testFuzz_wrongInputReverts(uint256 input) public {
        input = bound(input, 0, R - 1);
        vm.assume(input != Fixtures.INPUT_TYPICAL);
        vm.expectRevert(FixtureGroth16Verifier.ProofInvalid.selector);
        verifier.verifyProof(Fixtures.proofTypical(), input);
    }

    function testFuzz_randomProofReverts(uint256[8] memory proof, uint256 input) public view {
        input = bound(input, 0, R - 1);
        (bool ok,) = _try(proof, input);
        assertFalse(ok);
    }

    function test_RevertWhen_proofForAnotherInput() public {
        vm.expectRevert(FixtureGroth16Verifier.ProofInvalid.selector);
        verifier.verifyProof(Fixtures.proofZero(), Fixtures.INPUT_TYPICAL);
    }

    /// @notice -A is on the curve: the precompile accepts it and the RESULT must be checked.
    function test_RevertWhen_negatedA() public {
        uint256[8] memory p = Fixtures.proofTypical();
        p[1] = P - p[1];
        vm.expectRevert(FixtureGroth16Verifier.ProofInvalid.selector);
        verifier.verifyProof(p, Fixtures.INPUT_TYPICAL);
    }

    function test_RevertWhen_pointsAtInfinity() public {
        uint256[8] memory p = Fixtures.proofTypical();
        p[0] = 0;
        p[1] = 0;
        vm.expectRevert(FixtureGroth16Verifier.ProofInvalid.selector);
        verifier.verifyProof(p, Fixtures.INPUT_TYPICAL);
        p = Fixtures.proofTypical();
        p[6] = 0;
        p[7] = 0;
        vm.expectRevert(FixtureGroth16Verifier.ProofInvalid.selector);
        verifier.verifyProof(p, Fixtures.INPUT_TYPICAL);
    }

    function test_RevertWhen_aOffCurve() public {
        uint256[8] memory p = Fixtures.proofTypical();
        p[0] = 1;
        p[1] = 3; // (1, 2) is on y^2 = x^3 + 3; (1, 3) is not
        vm.expectRevert(FixtureGroth16Verifier.ProofMalformed.selector);
        verifier.verifyProof(p, Fixtures.INPUT_TYPICAL);
    }

    function test_RevertWhen_cOffCurve() public {
        uint256[8] memory p = Fixtures.proofTypical();
        p[7] = p[7] ^ 1;
        vm.expectRevert(FixtureGroth16Verifier.ProofMalformed.selector);
        verifier.verifyProof(p, Fixtures.INPUT_TYPICAL);
    }

    function test_RevertWhen_coordinateNotBelowP() public {
        uint256[8] memory p = Fixtures.proofTypical();
        p[0] += P; // same point mod p, non-canonical encoding
        vm.expectRevert(FixtureGroth16Verifier.ProofMalformed.selector);
        verifier.verifyProof(p, Fixtures.INPUT_TYPICAL);
        p = Fixtures.proofTypical();
        p[3] += P;
        vm.expectRevert(FixtureGroth16Verifier.ProofMalformed.selector);
        verifier.verifyProof(p, Fixtures.INPUT_TYPICAL);
    }

    function test_RevertWhen_bOffTwist() public {
        uint256[8] memory p = Fixtures.proofTypical();
        p[5] ^= 2;
        vm.expectRevert(FixtureGroth16Verifier.ProofMalformed.selector);
        verifier.verifyProof(p, Fixtures.INPUT_TYPICAL);
    }

    function test_RevertWhen_bOutsideSubgroup() public {
        uint256[8] memory p = Fixtures.proofTypical();
        uint256[4] memory g2 = Fixtures.g2NotInSubgroup();
        for (uint256 i = 0; i < 4; i++) {
            p[2 + i] = g2[i];
        }
        vm.expectRevert(FixtureGroth16Verifier.ProofMalformed.selector);
        verifier.verifyProof(p, Fixtures.INPUT_TYPICAL);
    }

    function test_RevertWhen_outOfGas() public {
        uint256[8] memory p = Fixtures.proofTypical();
        (bool ok,) = address(verifier).call{gas: 100_000}(
            abi.encodeCall(FixtureGroth16Verifier.verifyProof, (p, Fixtures.INPUT_TYPICAL))
        );
        assertFalse(ok);
    }

    /// @notice ecMul starved of gas: the `ok` check of ecMul/ecAdd reverts (empty data).
    function test_RevertWhen_ecMulOutOfGas() public {
        uint256[8] memory p = Fixtures.proofTypical();
        (bool ok, bytes memory ret) = address(verifier).call{gas: 6_000}(
            abi.encodeCall(FixtureGroth16Verifier.verifyProof, (p, Fixtures.INPUT_TYPICAL))
        );
        assertFalse(ok);
        assertEq(ret.length, 0);
    }
}

/// @notice The cases on the verifier with the key embedded as constants.
contract Groth16VerifierTest is Groth16VerifierCases {
    function _deploy() internal override returns (address) {
        return address(new FixtureGroth16Verifier());
    }
}
