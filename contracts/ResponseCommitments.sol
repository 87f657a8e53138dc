// SPDX-License-Identifier: MIT
pragma solidity 0.8.29;

import {INexus} from "./interfaces/INexus.sol";
import {ResponseCommitment} from "./libraries/ResponseCommitment.sol";
import {Commitment} from "./types/NexusTypes.sol";

/// @title The sealed responses of providers, kept by Nexus until they are revealed.
/// @notice A response is committed first and revealed in a later block (docs/PROTOCOL.md "Commitments"): a copy of a
/// pending reveal, sent by anyone else, opens no commitment of theirs, and a commitment made after seeing the reveal
/// cannot be revealed before the honest one lands.
/// @dev One slot per commitment, written once: the first 27 bytes of the commitment and its time. The commit needs
/// nothing else (no call to the task, whose attempt the reveal checks), which keeps the second transaction cheap.
/// 216 bits bind a reveal: equivocating between two results takes a 2^108 collision search.
abstract contract ResponseCommitments is INexus {
    mapping(address task => mapping(address provider => Commitment)) private _commitments;

    /// @inheritdoc INexus
    function commitmentOf(address task, address provider) external view returns (Commitment memory) {
        return _commitments[task][provider];
    }

    function _commit(address task, address provider, bytes32 commitment) internal {
        Commitment storage c = _commitments[task][provider];
        if (c.committedAt != 0) revert AlreadyCommitted(task, provider, c.committedAt);
        (c.digest, c.committedAt) = (bytes27(commitment), uint40(block.timestamp));
    }

    /// @dev Checks that the reveal opens the provider's commitment, made in an earlier block, and clears it.
    function _open(address task, address provider, bytes32 resultHash, uint256 askedPayment, bytes32 secret) internal {
        Commitment memory c = _commitments[task][provider];
        if (c.committedAt == 0) revert NotCommitted(task, provider);
        // A later timestamp is a later block: a copier that saw the reveal cannot commit and reveal before it lands.
        if (block.timestamp <= c.committedAt) revert RevealTooEarly(task, provider, c.committedAt);
        bytes32 revealed = ResponseCommitment.hash(task, provider, resultHash, askedPayment, secret);
        if (bytes27(revealed) != c.digest) revert CommitmentMismatch(task, provider, c.digest, revealed);
        delete _commitments[task][provider];
    }
}
