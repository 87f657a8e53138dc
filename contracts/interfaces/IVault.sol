// SPDX-License-Identifier: MIT
pragma solidity 0.8.29;

import {Stake, VaultAccount} from "../types/NexusTypes.sol";

/// @title Holds all native currency of the protocol: balances, task escrow, stake and fees.
/// @notice Every mutating function is called by Nexus, which passes the account it acts for.
interface IVault {
    /// @notice Only Nexus may move funds.
    error NotNexus(address caller);
    /// @notice An amount must be positive.
    error ZeroAmount();
    /// @notice The account's liquid balance is too small.
    error InsufficientBalance(address account, uint256 balance, uint256 needed);
    /// @notice The account's free lockup (its lockup less what live attempts reserve) is too small.
    error InsufficientFreeLockup(address account, uint256 free, uint256 needed);
    /// @notice Nothing is unbonding for the account.
    error NothingUnbonding(address account);
    /// @notice The unbonding has not matured yet.
    error UnbondingNotMatured(address account, uint64 maturesAt);
    /// @notice Sending native currency to the account failed.
    error TransferFailed(address to, uint256 amount);
    /// @notice The amount does not fit the vault's accounting width.
    error AmountOverflow(uint256 amount);

    /// @notice The Nexus allowed to move funds.
    function nexus() external view returns (address);

    /// @notice Liquid balance, withdrawable.
    function balanceOf(address account) external view returns (uint256);

    /// @notice Lifetime earnings credited to a master (after fees).
    function earningsOf(address account) external view returns (uint256);

    /// @notice Balance and earnings in one read.
    function accountOf(address account) external view returns (VaultAccount memory);

    /// @notice Locked stake, slashable by lapse penalties, including the reserved part.
    function lockupOf(address account) external view returns (uint256);

    /// @notice The lockup not reserved by live attempts: what a new attempt can reserve and what can unbond.
    function freeLockupOf(address account) external view returns (uint256);

    /// @notice Lockup, reserved part, unbonding amount and maturity in one read.
    function stakeOf(address account) external view returns (Stake memory);

    /// @notice Escrow held for a task created by Nexus (zero for anything else).
    function escrowOf(address task) external view returns (uint256);

    /// @notice Protocol fees accrued and not yet collected.
    function accruedFees() external view returns (uint256);

    /// @notice Penalties taken from tasks that reached no agreement: held by the vault, owed to no one.
    function burned() external view returns (uint256);

    /// @notice Time an unbonding takes to mature.
    function unbondingPeriod() external view returns (uint64);

    function deposit(address account) external payable;

    function withdraw(address account, address recipient, uint256 amount) external;

    function lock(address account, uint256 amount) external;

    /// @notice Starts unbonding `amount` of the free lockup.
    /// @return maturesAt When the (whole) unbonding amount matures.
    function unbond(address account, uint256 amount) external returns (uint64 maturesAt);

    /// @return amount The amount returned to lockup.
    function cancelUnbonding(address account) external returns (uint256 amount);

    /// @return amount The amount moved to the liquid balance.
    function claim(address account) external returns (uint256 amount);

    /// @notice Takes `msg.value` plus, if needed, the client's balance to fund `payment` of escrow.
    function fundEscrow(address client, uint256 payment) external payable;

    /// @notice Releases a task's escrow: `paid - fee` to `payee`, `fee` to fees, the rest to `client`.
    function releaseEscrow(address client, uint256 payment, address payee, uint256 paid, uint256 fee) external;

    /// @notice Returns a task's whole escrow to the client.
    function refundEscrow(address client, uint256 payment) external;

    /// @notice Reserves `penalty` of `master`'s free lockup for a new attempt, whose task asks the master to hold
    /// at least `minAvailableLockup` free before it (`INexus.LockupBelowMinimum` otherwise).
    function reserve(address master, uint256 penalty, uint256 minAvailableLockup) external;

    /// @notice Returns a reservation to `master`'s free lockup (the attempt responded or was cut short).
    function release(address master, uint256 penalty) external;

    /// @notice Moves a reservation of `master` (the attempt lapsed) out of its lockup to `client`'s balance.
    function slash(address master, address client, uint256 penalty) external;

    /// @notice Moves a reservation of `master` out of its lockup to nobody: it stays in the vault, counted by
    /// `burned`, and no account can ever draw it.
    function burn(address master, uint256 penalty) external;

    /// @notice Pays one agreeing juror's share of a task's escrow: returns its reservation `penalty` to `master`'s
    /// free lockup, credits `paid - fee` to `master` (as earnings) and `fee` to fees.
    function payShare(address master, uint256 penalty, uint256 paid, uint256 fee) external;

    /// @notice Moves accrued fees to `treasury`'s balance.
    /// @return amount The amount moved.
    function collectFees(address treasury) external returns (uint256 amount);

    function setUnbondingPeriod(uint64 period) external;
}
