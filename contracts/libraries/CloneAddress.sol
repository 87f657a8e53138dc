// SPDX-License-Identifier: MIT
pragma solidity 0.8.29;

import {Clones} from "@openzeppelin/contracts/proxy/Clones.sol";

/// @title Authenticates clones by their CREATE2 address instead of by a registry in storage.
/// @dev Nexus deploys every clone with salt zero and the clone's identity in its immutable args, so an address
/// is a genuine clone of `implementation` made by `deployer` exactly when it equals the predicted address for
/// its own args. Both directions use it: Nexus checks a task or source it is handed, and a clone checks
/// that its caller is the Nexus that made it. Nothing is stored, so nothing can drift.
library CloneAddress {
    uint256 private constant PROXY_CODE_LENGTH = 0x2d;

    /// @dev The immutable args of `instance`, or empty bytes when its code is not a clone of `expectedLength` args.
    function readArgs(address instance, uint256 expectedLength) internal view returns (bytes memory args) {
        if (instance.code.length != PROXY_CODE_LENGTH + expectedLength) return args;
        return Clones.fetchCloneArgs(instance);
    }

    function predict(address implementation, bytes memory args, address deployer) internal pure returns (address) {
        return Clones.predictDeterministicAddressWithImmutableArgs(implementation, args, bytes32(0), deployer);
    }

    function deploy(address implementation, bytes memory args) internal returns (address) {
        return Clones.cloneDeterministicWithImmutableArgs(implementation, args, bytes32(0));
    }
}
