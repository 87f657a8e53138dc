// SPDX-License-Identifier: MIT
pragma solidity 0.8.29;

/// @title The sealed form of a provider's response.
/// @notice A provider commits `hash(task, provider, resultHash, askedPayment, secret)` and reveals the response in a
/// later block, while its attempt is live. The commitment names its provider, so a copy of it is worthless to anyone
/// else, and it hides the result until the reveal: by then the response is bound to the provider that committed it.
library ResponseCommitment {
    function hash(address task, address provider, bytes32 resultHash, uint256 askedPayment, bytes32 secret)
        internal
        pure
        returns (bytes32)
    {
        return keccak256(abi.encode(task, provider, resultHash, askedPayment, secret));
    }
}
