// SPDX-License-Identifier: MIT
pragma solidity 0.8.29;

import {Vm} from "forge-std/Vm.sol";
import {INexus} from "../../../contracts/interfaces/INexus.sol";
import {TermsSeen} from "../../../contracts/types/NexusTypes.sol";

Vm constant VM = Vm(address(uint160(uint256(keccak256("hevm cheat code")))));

/// @dev What an honest client reads just before publishing: the source's current version and the current fee.
/// Read from storage with a cheatcode, not by calling the views: a call would consume the `vm.prank` or
/// `vm.expectRevert` a test set up for the publish itself. BoundTermsTest checks it against the views.
function termsSeenOf(INexus nexus, address source) view returns (TermsSeen memory) {
    // Source slot 0: `_status` (1 byte), then `_version` (4 bytes). Nexus: Ownable's `_owner` (slot 0),
    // Ownable2Step's `_pendingOwner` (slot 1), ResponseCommitments' `_commitments` (slot 2), then `_feeBps` (2 bytes)
    // at the start of slot 3.
    uint256 sourceSlot0 = uint256(VM.load(source, bytes32(0)));
    uint256 nexusSlot3 = uint256(VM.load(address(nexus), bytes32(uint256(3))));
    return TermsSeen({sourceVersion: uint32(sourceSlot0 >> 8), feeBps: uint16(nexusSlot3)});
}
