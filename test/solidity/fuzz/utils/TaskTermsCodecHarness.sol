// SPDX-License-Identifier: MIT
pragma solidity 0.8.29;

import {TaskTermsCodec} from "../../../../contracts/libraries/TaskTermsCodec.sol";
import {TaskTerms} from "../../../../contracts/types/NexusTypes.sol";

/// @dev Exposes the internal codec library so tests can call it.
contract TaskTermsCodecHarness {
    function length() external pure returns (uint256) {
        return TaskTermsCodec.LENGTH;
    }

    function encode(TaskTerms memory t) external pure returns (bytes memory) {
        return TaskTermsCodec.encode(t);
    }

    function decode(bytes memory packed) external pure returns (TaskTerms memory) {
        return TaskTermsCodec.decode(packed);
    }

    function roundTrip(TaskTerms memory t) external pure returns (TaskTerms memory) {
        return TaskTermsCodec.decode(TaskTermsCodec.encode(t));
    }
}
