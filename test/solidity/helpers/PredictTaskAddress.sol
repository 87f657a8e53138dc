// SPDX-License-Identifier: MIT
pragma solidity 0.8.29;

import {INexus} from "../../../contracts/interfaces/INexus.sol";
import {CloneAddress} from "../../../contracts/libraries/CloneAddress.sol";
import {TaskTermsCodec} from "../../../contracts/libraries/TaskTermsCodec.sol";
import {TaskTerms} from "../../../contracts/types/NexusTypes.sol";

/// @dev The address a task with these terms gets: the CREATE2 address of the terms' clone, deployed by Nexus.
/// Nexus does not offer this as a view (its code is at the EIP-170 limit); a client derives it the same way.
function predictTaskAddress(INexus nexus, TaskTerms memory terms) view returns (address) {
    return CloneAddress.predict(nexus.taskImplementation(), TaskTermsCodec.encode(terms), address(nexus));
}
