// SPDX-License-Identifier: MIT
pragma solidity 0.8.29;

import {Test} from "forge-std/Test.sol";
import {Nexus} from "../../../../contracts/Nexus.sol";
import {Task} from "../../../../contracts/Task.sol";
import {Source} from "../../../../contracts/Source.sol";
import {IVault} from "../../../../contracts/interfaces/IVault.sol";
import {ITask} from "../../../../contracts/interfaces/ITask.sol";
import {IProviderRegistry} from "../../../../contracts/interfaces/IProviderRegistry.sol";
import {Attempt, DeliveryMethod, SourceParams, TaskState, TermsSeen, VerificationMethod, ENV_CPU, ENV_NVIDIA} from "../../../../contracts/types/NexusTypes.sol";
import {termsSeenOf} from "../../helpers/TermsSeenOf.sol";
import {ResponseCommitment} from "../../../../contracts/libraries/ResponseCommitment.sol";

/// @dev Deployment and small helpers shared by the fuzz, invariant and reentrancy suites (kept apart from the
/// unit-test fixture so both can evolve independently).
abstract contract NexusSetup is Test {
    uint64 internal constant UNBONDING = 7 days;
    uint256 internal constant START = 1_700_000_000;
    uint256 internal constant BPS = 10_000;
    bytes32 internal constant SECRET = keccak256("secret");

    Nexus internal nexus;
    IVault internal vault;
    IProviderRegistry internal registry;

    address internal owner = makeAddr("owner");
    address internal treasury = makeAddr("treasury");
    address internal client = makeAddr("client");
    address internal master = makeAddr("master");
    address internal provider = makeAddr("provider");
    address internal provider2 = makeAddr("provider2");
    address internal master2 = makeAddr("master2");
    address internal anyone = makeAddr("anyone");

    uint64 internal nextSalt = 1;

    function _deploy(uint16 feeBps) internal {
        _deploy(feeBps, treasury);
    }

    function _deploy(uint16 feeBps, address treasury_) internal {
        vm.warp(START);
        Task taskImpl = new Task();
        Source sourceImpl = new Source();
        nexus = new Nexus(owner, treasury_, feeBps, UNBONDING, address(taskImpl), address(sourceImpl));
        vault = IVault(nexus.vault());
        registry = IProviderRegistry(nexus.registry());
    }

    function _params(DeliveryMethod method) internal pure returns (SourceParams memory p) {
        p = SourceParams({
            metadataUri: "ipfs://metadata",
            metadataHash: keccak256("metadata"),
            environments: ENV_CPU | ENV_NVIDIA,
            deliveryMethod: method,
            maxConcurrentAttempts: 2,
            attemptTimeout: 1 hours,
            maxExpiryDuration: 7 days,
            reviewWindow: 1 days,
            minPayment: 1e12,
            minAvailableLockup: 1 ether,
            lapsePenalty: 0.1 ether,
            verification: VerificationMethod.NONE,
            quorum: 0
        });
    }

    function _method(bool firstResponse) internal pure returns (DeliveryMethod) {
        return firstResponse ? DeliveryMethod.FIRST_RESPONSE : DeliveryMethod.MANUAL_CONFIRMATION;
    }

    function _publishSource(address by, SourceParams memory p) internal returns (address source) {
        vm.prank(by);
        source = nexus.publishSource(p, keccak256(abi.encode(by, nextSalt++)));
    }

    function _pair(address master_, address provider_) internal {
        vm.prank(master_);
        nexus.announceProvider(provider_, type(uint88).max);
        vm.prank(provider_);
        nexus.announceMaster(master_);
    }

    /// @dev Funds `who` with fresh native currency and deposits it into its vault balance.
    function _fund(address who, uint256 amount) internal {
        if (amount == 0) return;
        vm.deal(who, who.balance + amount);
        vm.prank(who);
        nexus.deposit{value: amount}(who);
    }

    function _stake(address master_, uint256 amount) internal {
        _fund(master_, amount);
        vm.prank(master_);
        nexus.lock(amount);
    }

    /// @dev The lockups `_market` staked for `master` and `master2`, as they stand now.
    function _marketLockups() internal view returns (uint256) {
        return vault.lockupOf(master) + vault.lockupOf(master2);
    }

    function _register(address source, address provider_) internal {
        vm.prank(provider_);
        nexus.register(source, provider_, ENV_CPU);
    }

    /// @dev A source of `method` with `provider` paired to `master` and `provider2` to `master2` (a master attempts
    /// a task once), both staked and registered.
    function _market(SourceParams memory p) internal returns (address source) {
        source = _publishSource(client, p);
        _pair(master, provider);
        _pair(master2, provider2);
        uint256 stake = p.minAvailableLockup == 0 ? 1 ether : p.minAvailableLockup;
        _stake(master, stake);
        _stake(master2, stake);
        _register(source, provider);
        _register(source, provider2);
    }

    function _publishTask(address by, address source, uint64 expiry, uint256 payment, uint256 value)
        internal
        returns (address task)
    {
        vm.deal(by, by.balance + value);
        TermsSeen memory seen = termsSeenOf(nexus, source);
        vm.prank(by);
        task = nexus.publishTask{value: value}(by, source, "ipfs://config", keccak256("config"), expiry, payment, nextSalt++, seen);
    }

    function _attempt(address task, address provider_, uint256 suggested) internal returns (uint40 deadline) {
        vm.prank(provider_);
        nexus.attempt(task, provider_, suggested);
        deadline = ITask(task).attemptOf(provider_).deadline;
    }

    /// @dev Commits, moves to the next block (one second later) and reveals.
    function _respond(address task, address provider_, uint256 asked) internal {
        _commit(task, provider_, asked);
        _nextBlock();
        _reveal(task, provider_, asked);
    }

    /// @dev The next block, one second later.
    function _nextBlock() internal {
        vm.warp(vm.getBlockTimestamp() + 1);
        vm.roll(vm.getBlockNumber() + 1);
    }

    function _commit(address task, address provider_, uint256 asked) internal {
        vm.prank(provider_);
        nexus.commitResponse(task, ResponseCommitment.hash(task, provider_, keccak256("result"), asked, SECRET));
    }

    function _reveal(address task, address provider_, uint256 asked) internal {
        vm.prank(provider_);
        nexus.revealResponse(task, "ipfs://result", keccak256("result"), asked, SECRET);
    }

    function _state(address task) internal view returns (TaskState memory) {
        return ITask(task).state();
    }

    function _attemptOf(address task, address provider_) internal view returns (Attempt memory) {
        return ITask(task).attemptOf(provider_);
    }
}
