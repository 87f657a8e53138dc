// SPDX-License-Identifier: MIT
pragma solidity 0.8.29;

import {ReentrancyGuard} from "@openzeppelin/contracts/utils/ReentrancyGuard.sol";
import {INexus} from "./interfaces/INexus.sol";
import {ITask} from "./interfaces/ITask.sol";
import {IVault} from "./interfaces/IVault.sol";
import {Stake, VaultAccount} from "./types/NexusTypes.sol";

/// @title Holds every wei of the protocol.
/// @notice Balance = Σ liquid balances + Σ open tasks' escrow + Σ lockups + Σ unbondings + accrued fees, at all times.
/// A lockup's reserved part backs live attempts: only a slash (the attempt lapsed) takes it out of the lockup.
/// A task's escrow is not stored: it is the task's payment while the task is open, so it cannot drift from it.
/// Value leaves only through `withdraw` (pull payment, checks-effects-interactions, reentrancy guarded).
contract Vault is IVault, ReentrancyGuard {
    address private immutable NEXUS;

    uint64 private _unbondingPeriod;
    uint256 private _accruedFees;
    uint256 private _burned;
    mapping(address account => VaultAccount) private _accounts;
    mapping(address account => Stake) private _stakes;

    /// @param unbondingPeriod_ Initial unbonding period; the deployer (Nexus) checks its cap.
    constructor(uint64 unbondingPeriod_) {
        NEXUS = msg.sender;
        _unbondingPeriod = unbondingPeriod_;
    }

    modifier onlyNexus() {
        if (msg.sender != NEXUS) revert NotNexus(msg.sender);
        _;
    }

    // ---------------------------------------------------------------- views

    /// @inheritdoc IVault
    function nexus() external view returns (address) {
        return NEXUS;
    }

    /// @inheritdoc IVault
    function balanceOf(address account) external view returns (uint256) {
        return _accounts[account].balance;
    }

    /// @inheritdoc IVault
    function earningsOf(address account) external view returns (uint256) {
        return _accounts[account].earnings;
    }

    /// @inheritdoc IVault
    function accountOf(address account) external view returns (VaultAccount memory) {
        return _accounts[account];
    }

    /// @inheritdoc IVault
    function lockupOf(address account) external view returns (uint256) {
        return _stakes[account].lockup;
    }

    /// @inheritdoc IVault
    function freeLockupOf(address account) external view returns (uint256) {
        Stake storage s = _stakes[account];
        return s.lockup - s.reserved;
    }

    /// @inheritdoc IVault
    function stakeOf(address account) external view returns (Stake memory) {
        return _stakes[account];
    }

    /// @inheritdoc IVault
    function escrowOf(address task) external view returns (uint256) {
        return INexus(NEXUS).isTask(task) ? ITask(task).escrow() : 0;
    }

    /// @inheritdoc IVault
    function accruedFees() external view returns (uint256) {
        return _accruedFees;
    }

    /// @inheritdoc IVault
    function burned() external view returns (uint256) {
        return _burned;
    }

    /// @inheritdoc IVault
    function unbondingPeriod() external view returns (uint64) {
        return _unbondingPeriod;
    }

    // ---------------------------------------------------------------- liquid balance

    /// @inheritdoc IVault
    function deposit(address account) external payable onlyNexus {
        if (msg.value == 0) revert ZeroAmount();
        _credit(account, msg.value);
    }

    /// @inheritdoc IVault
    function withdraw(address account, address recipient, uint256 amount) external onlyNexus nonReentrant {
        if (amount == 0) revert ZeroAmount();
        _debit(account, amount);
        (bool sent,) = recipient.call{value: amount}("");
        if (!sent) revert TransferFailed(recipient, amount);
    }

    // ---------------------------------------------------------------- stake

    /// @inheritdoc IVault
    function lock(address account, uint256 amount) external onlyNexus {
        if (amount == 0) revert ZeroAmount();
        _debit(account, amount);
        Stake storage s = _stakes[account];
        s.lockup = _toUint96(s.lockup + amount);
    }

    /// @inheritdoc IVault
    function unbond(address account, uint256 amount) external onlyNexus returns (uint64 maturesAt) {
        if (amount == 0) revert ZeroAmount();
        Stake storage s = _stakes[account];
        uint256 free = s.lockup - s.reserved;
        if (free < amount) revert InsufficientFreeLockup(account, free, amount);
        maturesAt = uint64(block.timestamp) + _unbondingPeriod;
        s.lockup -= uint96(amount);
        s.unbonding = _toUint96(s.unbonding + amount);
        s.unbondingMaturesAt = maturesAt;
    }

    /// @inheritdoc IVault
    function cancelUnbonding(address account) external onlyNexus returns (uint256 amount) {
        Stake storage s = _stakes[account];
        amount = s.unbonding;
        if (amount == 0) revert NothingUnbonding(account);
        s.lockup = _toUint96(s.lockup + amount);
        s.unbonding = 0;
        s.unbondingMaturesAt = 0;
    }

    /// @inheritdoc IVault
    function claim(address account) external onlyNexus returns (uint256 amount) {
        Stake storage s = _stakes[account];
        amount = s.unbonding;
        if (amount == 0) revert NothingUnbonding(account);
        if (block.timestamp < s.unbondingMaturesAt) revert UnbondingNotMatured(account, s.unbondingMaturesAt);
        s.unbonding = 0;
        s.unbondingMaturesAt = 0;
        _credit(account, amount);
    }

    // ---------------------------------------------------------------- escrow and protocol movements

    /// @inheritdoc IVault
    function fundEscrow(address client, uint256 payment) external payable onlyNexus {
        if (msg.value > payment) _credit(client, msg.value - payment);
        else if (msg.value < payment) _debit(client, payment - msg.value);
    }

    /// @inheritdoc IVault
    function releaseEscrow(address client, uint256 payment, address payee, uint256 paid, uint256 fee)
        external
        onlyNexus
    {
        _payEarnings(payee, paid, fee);
        if (payment != paid) _credit(client, payment - paid);
    }

    /// @inheritdoc IVault
    function refundEscrow(address client, uint256 payment) external onlyNexus {
        _credit(client, payment);
    }

    /// @inheritdoc IVault
    function reserve(address master, uint256 penalty, uint256 minAvailableLockup) external onlyNexus {
        Stake storage s = _stakes[master];
        (uint96 lockup, uint96 reserved) = (s.lockup, s.reserved);
        uint256 free = lockup - reserved;
        if (free < minAvailableLockup) revert INexus.LockupBelowMinimum(master, free, minAvailableLockup);
        if (free < penalty) revert InsufficientFreeLockup(master, free, penalty);
        // Fits: reserved + penalty <= lockup, a uint96.
        if (penalty != 0) s.reserved = reserved + uint96(penalty);
    }

    /// @inheritdoc IVault
    function release(address master, uint256 penalty) external onlyNexus {
        // Nexus releases only what it reserved, so this cannot underflow; if it ever did, reverting is right.
        _stakes[master].reserved -= uint96(penalty);
    }

    /// @inheritdoc IVault
    function slash(address master, address client, uint256 penalty) external onlyNexus {
        _takeReserved(master, penalty);
        _credit(client, penalty);
    }

    /// @inheritdoc IVault
    function burn(address master, uint256 penalty) external onlyNexus {
        _takeReserved(master, penalty);
        _burned += penalty;
    }

    /// @inheritdoc IVault
    function payShare(address master, uint256 penalty, uint256 paid, uint256 fee) external onlyNexus {
        if (penalty != 0) _stakes[master].reserved -= uint96(penalty);
        _payEarnings(master, paid, fee);
    }

    /// @inheritdoc IVault
    function collectFees(address treasury) external onlyNexus returns (uint256 amount) {
        amount = _accruedFees;
        if (amount == 0) revert ZeroAmount();
        _accruedFees = 0;
        _credit(treasury, amount);
    }

    /// @inheritdoc IVault
    function setUnbondingPeriod(uint64 period) external onlyNexus {
        _unbondingPeriod = period;
    }

    // ---------------------------------------------------------------- internals

    /// @dev Moves a reservation out of the lockup: the penalty was reserved when the attempt was made, so the
    /// lockup covers it in full.
    function _takeReserved(address master, uint256 penalty) private {
        Stake storage s = _stakes[master];
        s.reserved -= uint96(penalty);
        s.lockup -= uint96(penalty);
    }

    /// @dev Credits `paid - fee` to `payee` as earnings, and `fee` to the protocol.
    function _payEarnings(address payee, uint256 paid, uint256 fee) private {
        VaultAccount storage a = _accounts[payee];
        uint256 net = paid - fee;
        a.balance = _toUint128(a.balance + net);
        a.earnings = _toUint128(a.earnings + net);
        if (fee != 0) _accruedFees += fee;
    }

    function _credit(address account, uint256 amount) private {
        VaultAccount storage a = _accounts[account];
        a.balance = _toUint128(a.balance + amount);
    }

    function _debit(address account, uint256 amount) private {
        VaultAccount storage a = _accounts[account];
        uint256 balance = a.balance;
        if (balance < amount) revert InsufficientBalance(account, balance, amount);
        a.balance = uint128(balance - amount);
    }

    function _toUint128(uint256 value) private pure returns (uint128) {
        if (value > type(uint128).max) revert AmountOverflow(value);
        return uint128(value);
    }

    function _toUint96(uint256 value) private pure returns (uint96) {
        if (value > type(uint96).max) revert AmountOverflow(value);
        return uint96(value);
    }
}
