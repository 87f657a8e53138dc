// SPDX-License-Identifier: MIT
pragma solidity 0.8.29;

/// @notice A contract user of Nexus (client, master, provider or treasury). It acts through `act`, can reject any
/// incoming value, counts every call it receives, and can run a re-entry plan against Nexus when it receives value.
contract ContractUser {
    error Rejected();

    address public immutable nexus;

    bool public rejectValue;
    uint256 public receiveCount;
    uint256 public receivedValue;
    uint256 public fallbackCount;

    bytes[] internal _plan;
    uint256[] internal _planValue;
    bool[] internal _ok;
    bytes[] internal _ret;
    bool internal _inReceive;

    constructor(address nexus_) {
        nexus = nexus_;
    }

    /// @dev Calls Nexus as this account, bubbling up any revert.
    function act(bytes calldata data) external payable returns (bytes memory ret) {
        bool ok;
        (ok, ret) = nexus.call{value: msg.value}(data);
        if (!ok) {
            assembly ("memory-safe") {
                revert(add(ret, 0x20), mload(ret))
            }
        }
    }

    function setRejectValue(bool reject) external {
        rejectValue = reject;
    }

    /// @dev Calls to make to Nexus (with the given values, paid from this contract's native balance) the next time
    /// value arrives.
    function setPlan(bytes[] calldata plan, uint256[] calldata values) external {
        delete _plan;
        delete _planValue;
        delete _ok;
        delete _ret;
        for (uint256 i; i < plan.length; ++i) {
            _plan.push(plan[i]);
            _planValue.push(values[i]);
        }
    }

    function outcome(uint256 i) external view returns (bool ok, bytes memory ret) {
        return (_ok[i], _ret[i]);
    }

    function outcomes() external view returns (uint256) {
        return _ok.length;
    }

    receive() external payable {
        if (rejectValue) revert Rejected();
        receiveCount += 1;
        receivedValue += msg.value;
        if (_inReceive || _plan.length == 0) return;
        _inReceive = true;
        for (uint256 i; i < _plan.length; ++i) {
            (bool ok, bytes memory ret) = nexus.call{value: _planValue[i]}(_plan[i]);
            _ok.push(ok);
            _ret.push(ret);
        }
        delete _plan;
        delete _planValue;
        _inReceive = false;
    }

    fallback() external payable {
        fallbackCount += 1;
        if (rejectValue) revert Rejected();
    }
}
