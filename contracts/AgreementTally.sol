// SPDX-License-Identifier: MIT
pragma solidity 0.8.29;

import {ITask} from "./interfaces/ITask.sol";
import {Agreement} from "./types/NexusTypes.sol";

/// @title The jury and the votes of an AGREEMENT task, kept by the task.
/// @notice The jury is the set of attempts that sealed a result before any was revealed; a result is agreed once
/// `quorum` jurors revealed the same hash. Voters of one hash form a list (newest first), so the reveal that completes
/// the quorum finds the agreeing providers without a scan.
/// @dev A NONE task never writes here. A vote keeps 96 bits of its hash beside the list pointer (one slot): after
/// the agreement it tells an agreeing vote from a dissent, and a dissenter that wanted to pass for an agreeing vote
/// would have had to seal, before any reveal, a different result whose hash starts like the agreed one.
abstract contract AgreementTally is ITask {
    struct Tally {
        uint8 count;
        address lastVoter;
    }

    struct Vote {
        address previousVoter;
        bytes12 tag;
    }

    Agreement internal _agreement;
    mapping(bytes32 resultHash => Tally) private _tallies;
    mapping(address provider => Vote) private _votes;

    /// @inheritdoc ITask
    function agreement() external view returns (Agreement memory) {
        return _agreement;
    }

    /// @inheritdoc ITask
    function votesFor(bytes32 resultHash) external view returns (uint8) {
        return _tallies[resultHash].count;
    }

    /// @dev Counts `provider`'s vote for `resultHash`; returns the hash's votes so far, this one included.
    function _castVote(address provider, bytes32 resultHash) internal returns (uint8 count) {
        Tally storage tally = _tallies[resultHash];
        count = tally.count + 1;
        _votes[provider] = Vote({previousVoter: tally.lastVoter, tag: bytes12(resultHash)});
        (tally.count, tally.lastVoter) = (count, provider);
    }

    /// @dev The `count` voters of the list that ends with `lastVoter`, newest first.
    function _votersFrom(address lastVoter, uint256 count) internal view returns (address[] memory voters) {
        voters = new address[](count);
        address voter = lastVoter;
        for (uint256 i; i < count; ++i) {
            voters[i] = voter;
            voter = _votes[voter].previousVoter;
        }
    }

    /// @dev Whether `provider` voted for the same result as `agreedVoter`.
    function _votedAlike(address provider, address agreedVoter) internal view returns (bool) {
        return _votes[provider].tag == _votes[agreedVoter].tag;
    }
}
