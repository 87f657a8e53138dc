// SPDX-License-Identifier: MIT
pragma solidity 0.8.29;

import {CommonBase} from "forge-std/Base.sol";
import {StdCheats} from "forge-std/StdCheats.sol";
import {StdUtils} from "forge-std/StdUtils.sol";
import {Nexus} from "../../../contracts/Nexus.sol";
import {Task} from "../../../contracts/Task.sol";
import {Source} from "../../../contracts/Source.sol";
import {IVault} from "../../../contracts/interfaces/IVault.sol";
import {ITask} from "../../../contracts/interfaces/ITask.sol";
import {ResponseCommitment} from "../../../contracts/libraries/ResponseCommitment.sol";
import {
    Attempt,
    AttemptState,
    DeliveryMethod,
    SourceParams,
    TaskStatus,
    TaskTerms,
    VerificationMethod,
    ENV_CPU
} from "../../../contracts/types/NexusTypes.sol";
import {termsSeenOf} from "../helpers/TermsSeenOf.sol";

/// @notice Drives AGREEMENT tasks (docs/PROTOCOL.md "Agreement") in random order across 4 masters, one provider
/// each: three honest (they reveal the task's one correct result) and one cheater (a result of its own), on two
/// sources (quorum 2 of 3 slots, quorum 3 of 4 slots) sharing each master's stake, with time warped across
/// attempt deadlines and expiries. Every call is made by whoever may make it and simply tried: what the rules allow
/// is checked by the invariants over the state, and each value-moving success is checked for its exact amounts here
/// (a handler revert would be swallowed by the fuzzer, so failures are recorded in `violation`).
contract AgreementHandler is CommonBase, StdCheats, StdUtils {
    uint256 internal constant BPS = 10_000;
    uint256 internal constant MAX_TASKS = 40;
    bytes32 internal constant SECRET = keccak256("agreement secret");

    Nexus public immutable nexus;
    IVault public immutable vault;
    address public immutable cheaterMaster;

    address[] public clients;
    address[] public masters;
    address[] public providers;
    address[] public sources;
    address[] public tasks;
    /// @dev Every address that can hold value in the vault.
    address[] public actors;
    mapping(address provider => bool) public honest;

    uint256 public currentTime;
    uint256 public ghostDeposited;
    uint256 public ghostBurned;
    uint256 public agreements;
    uint256 public rejectionsToClient;
    uint256 public rejectionsBurned;
    uint256 public lapsesBurned;
    uint256 public expiredWithVotes;

    bool public violated;
    string public violation;
    mapping(bytes32 name => uint256) public calls;
    mapping(bytes32 name => uint256) public successes;

    constructor() {
        currentTime = 1_700_000_000;
        vm.warp(currentTime);
        address owner = makeAddr("agr-owner");
        nexus = new Nexus(owner, makeAddr("agr-treasury"), 250, 3 days, address(new Task()), address(new Source()));
        vault = IVault(nexus.vault());
        for (uint256 i; i < 2; ++i) clients.push(makeAddr(string.concat("agr-client-", vm.toString(i))));
        for (uint256 i; i < 4; ++i) {
            address m = makeAddr(string.concat("agr-master-", vm.toString(i)));
            address p = makeAddr(string.concat("agr-provider-", vm.toString(i)));
            masters.push(m);
            providers.push(p);
            honest[p] = i < 3;
        }
        cheaterMaster = masters[3];
        sources.push(_source(2, 3, 0.1 ether));
        sources.push(_source(3, 4, 0.05 ether));
        for (uint256 i; i < 4; ++i) {
            vm.prank(masters[i]);
            nexus.announceProvider(providers[i], 1 ether);
            vm.prank(providers[i]);
            nexus.announceMaster(masters[i]);
            _deposit(masters[i], 3 ether);
            vm.prank(masters[i]);
            nexus.lock(1 ether);
            for (uint256 s; s < sources.length; ++s) {
                vm.prank(providers[i]);
                nexus.register(sources[s], providers[i], ENV_CPU);
            }
        }
        for (uint256 i; i < 2; ++i) _deposit(clients[i], 50 ether);
        for (uint256 i; i < 2; ++i) actors.push(clients[i]);
        for (uint256 i; i < 4; ++i) actors.push(masters[i]);
        for (uint256 i; i < 4; ++i) actors.push(providers[i]);
        actors.push(owner);
        actors.push(makeAddr("agr-treasury"));
    }

    function _source(uint8 quorum, uint8 slots, uint96 penalty) internal returns (address) {
        SourceParams memory p = SourceParams({
            metadataUri: "ipfs://agreement",
            metadataHash: bytes32(0),
            environments: ENV_CPU,
            deliveryMethod: DeliveryMethod.FIRST_RESPONSE,
            maxConcurrentAttempts: slots,
            attemptTimeout: 1 hours,
            maxExpiryDuration: 1 days,
            reviewWindow: 0,
            minPayment: 0.01 ether,
            minAvailableLockup: 0.2 ether,
            lapsePenalty: penalty,
            verification: VerificationMethod.AGREEMENT,
            quorum: quorum
        });
        vm.prank(clients[0]);
        return nexus.publishSource(p, bytes32(uint256(quorum)));
    }

    function _deposit(address who, uint256 amount) internal {
        vm.deal(who, amount);
        vm.prank(who);
        nexus.deposit{value: amount}(who);
        ghostDeposited += amount;
    }

    modifier step(bytes32 name) {
        vm.warp(currentTime);
        calls[name] += 1;
        _;
    }

    function _check(bool ok, string memory why) internal {
        if (!ok && !violated) (violated, violation) = (true, why);
    }

    /// @dev The result a provider computes for a task: the one correct result, or the cheater's own.
    function resultOf(address task, address provider) public view returns (bytes32) {
        return honest[provider] ? keccak256(abi.encode("correct", task)) : keccak256(abi.encode("made up", task, provider));
    }

    function _task(uint256 seed) internal view returns (address) {
        return tasks.length == 0 ? address(0) : tasks[seed % tasks.length];
    }

    uint8 internal constant ATTEMPTABLE = 0; // open, before expiry, jury still open; the provider has not attempted
    uint8 internal constant LIVE = 1; // a live attempt (to seal)
    uint8 internal constant JUROR = 2; // a sealed juror of a jury that reached its quorum (to reveal)
    uint8 internal constant VERDICT = 3; // a revealed result on a closed task (to reject)
    uint8 internal constant UNENDED = 4; // an attempt still holding its reservation on a closed or expired task
    uint8 internal constant SETTLEABLE = 5; // an open task past its expiry

    /// @dev The first (task, provider) pair from the seeds in the wanted situation; one call in eight (and any call
    /// that finds none) takes the seeds' pair blindly, to exercise the refusals.
    function _pick(uint256 taskSeed, uint256 provSeed, uint8 wanted) internal view returns (address, address) {
        uint256 n = tasks.length;
        if (n == 0) return (address(0), address(0));
        // Hashed: the fuzzer favours edge values (0, the maximum), which would otherwise all pick blindly.
        bool blind = uint256(keccak256(abi.encode(provSeed))) % 8 == 0;
        for (uint256 i; i < n && !blind; ++i) {
            address task = tasks[(taskSeed + i) % n];
            TaskStatus status = ITask(task).status();
            bool closed = status == TaskStatus.EXPIRED || status == TaskStatus.FINALIZED;
            bool expired = block.timestamp >= ITask(task).terms().expiryTime;
            if (wanted == SETTLEABLE) {
                if (!closed && expired) return (task, providers[provSeed % providers.length]);
                continue;
            }
            for (uint256 j; j < providers.length; ++j) {
                address p = providers[(provSeed + j) % providers.length];
                AttemptState a = ITask(task).attemptOf(p).state;
                bool fits = wanted == ATTEMPTABLE
                    ? a == AttemptState.NONE && !closed && !expired && status != TaskStatus.RESPONDED
                    : wanted == LIVE
                        ? a == AttemptState.LIVE && !closed
                        : wanted == JUROR
                            ? a == AttemptState.COMMITTED && !closed && ITask(task).agreement().jurors >= ITask(task).terms().quorum
                            : wanted == VERDICT
                                ? a == AttemptState.RESPONDED && closed
                                : (a == AttemptState.LIVE || a == AttemptState.COMMITTED) && (closed || expired);
                if (fits) return (task, p);
            }
        }
        return (_task(taskSeed), providers[provSeed % providers.length]);
    }

    // ------------------------------------------------------------------ actions

    function publishTask(uint256 clientSeed, uint256 sourceSeed, uint256 paySeed, uint256 expirySeed)
        external
        step("publishTask")
    {
        if (tasks.length >= MAX_TASKS) return;
        address client = clients[clientSeed % clients.length];
        address source = sources[sourceSeed % sources.length];
        uint256 payment = _bound(paySeed, 0.01 ether, 3 ether);
        // Long enough for an attempt (half the attempt timeout), at most the source's maximum.
        uint64 expiry = uint64(block.timestamp + (expirySeed % 8 == 0 ? _bound(expirySeed >> 8, 4 hours, 1 days) : _bound(expirySeed >> 8, 30 minutes, 4 hours)));
        vm.prank(client);
        try nexus.publishTask(client, source, "ipfs://cfg", bytes32(tasks.length), expiry, payment, uint64(tasks.length), termsSeenOf(nexus, source)) returns (address task) {
            tasks.push(task);
            successes["publishTask"] += 1;
        } catch {
            _check(false, "publishTask: a funded, in-range publication was refused");
        }
    }

    function attempt(uint256 taskSeed, uint256 provSeed) external step("attempt") {
        (address task, address provider) = _pick(taskSeed, provSeed, ATTEMPTABLE);
        if (task == address(0)) return;
        vm.prank(provider);
        try nexus.attempt(task, provider, 0) {
            successes["attempt"] += 1;
        } catch {}
    }

    function commitVote(uint256 taskSeed, uint256 provSeed) external step("commitVote") {
        (address task, address provider) = _pick(taskSeed, provSeed, LIVE);
        if (task == address(0)) return;
        bytes32 commitment = ResponseCommitment.hash(task, provider, resultOf(task, provider), 0, SECRET);
        vm.prank(provider);
        try nexus.commitVote(task, commitment) {
            successes["commitVote"] += 1;
        } catch {}
    }

    /// @dev A juror reveals, one second after the latest commitment at the earliest. The reveal that completes the
    /// quorum must pay each agreeing master one share less the fee, refund the division's remainder, and nobody else.
    function reveal(uint256 taskSeed, uint256 provSeed) external step("reveal") {
        (address task, address provider) = _pick(taskSeed, provSeed, JUROR);
        if (task == address(0)) return;
        currentTime += 1;
        vm.warp(currentTime);
        TaskTerms memory t = ITask(task).terms();
        uint256[] memory earningsBefore = new uint256[](masters.length);
        for (uint256 i; i < masters.length; ++i) earningsBefore[i] = vault.earningsOf(masters[i]);
        uint256 clientBefore = vault.balanceOf(t.client);
        vm.prank(provider);
        try nexus.revealResponse(task, "ipfs://result", resultOf(task, provider), 0, SECRET) {
            successes["reveal"] += 1;
        } catch {
            return;
        }
        if (ITask(task).status() != TaskStatus.FINALIZED) return;
        agreements += 1;
        bytes32 agreed = resultOf(task, provider);
        uint256 share = t.payment / t.quorum;
        uint256 net = share - share * t.feeBps / BPS;
        uint256 paid;
        for (uint256 i; i < masters.length; ++i) {
            uint256 gained = vault.earningsOf(masters[i]) - earningsBefore[i];
            bool voted = ITask(task).attemptOf(providers[i]).state == AttemptState.RESPONDED;
            bool agreeing = voted && resultOf(task, providers[i]) == agreed;
            _check(gained == (agreeing ? net : 0), "agreement: a share went to other than an agreeing juror");
            if (agreeing) ++paid;
        }
        _check(paid == t.quorum, "agreement: paid other than quorum jurors");
        _check(vault.balanceOf(t.client) == clientBefore + t.payment - share * t.quorum, "agreement: refund of the remainder");
    }

    /// @dev Anyone may take a rejected result's penalty: to the client after an agreement, burned after none.
    function rejectResponse(uint256 taskSeed, uint256 provSeed, uint256 callerSeed) external step("rejectResponse") {
        (address task, address provider) = _pick(taskSeed, provSeed, VERDICT);
        if (task == address(0)) return;
        TaskTerms memory t = ITask(task).terms();
        address master = ITask(task).attemptOf(provider).master;
        uint256 clientBefore = vault.balanceOf(t.client);
        uint256 burnedBefore = vault.burned();
        uint256 lockupBefore = vault.lockupOf(master);
        vm.prank(actors[callerSeed % actors.length]);
        try nexus.rejectResponse(task, provider) {
            successes["rejectResponse"] += 1;
        } catch {
            return;
        }
        if (_checkPenaltyTaken(task, t, clientBefore, burnedBefore, "reject")) {
            rejectionsBurned += 1;
        } else {
            rejectionsToClient += 1;
            _check(resultOf(task, provider) != resultOf(task, ITask(task).winner()), "reject: an agreed result was rejected");
        }
        _check(vault.lockupOf(master) == lockupBefore - t.lapsePenalty, "reject: the penalty leaves the lockup");
    }

    function reportLapse(uint256 taskSeed, uint256 provSeed, uint256 callerSeed) external step("reportLapse") {
        (address task, address provider) = _pick(taskSeed, provSeed, UNENDED);
        if (task == address(0)) return;
        TaskTerms memory t = ITask(task).terms();
        uint256 clientBefore = vault.balanceOf(t.client);
        uint256 burnedBefore = vault.burned();
        vm.prank(actors[callerSeed % actors.length]);
        try nexus.reportLapse(task, provider) {
            successes["reportLapse"] += 1;
        } catch {
            return;
        }
        if (_checkPenaltyTaken(task, t, clientBefore, burnedBefore, "lapse")) lapsesBurned += 1;
    }

    /// @dev Where a penalty just taken went: to the client after an agreement, burned otherwise (nobody may gain
    /// from a failed agreement). Returns whether it was burned.
    function _checkPenaltyTaken(address task, TaskTerms memory t, uint256 clientBefore, uint256 burnedBefore, string memory name)
        internal
        returns (bool burned)
    {
        burned = ITask(task).status() != TaskStatus.FINALIZED;
        if (burned) {
            ghostBurned += t.lapsePenalty;
            _check(vault.burned() == burnedBefore + t.lapsePenalty, string.concat(name, ": burned without agreement"));
            _check(vault.balanceOf(t.client) == clientBefore, string.concat(name, ": nobody gains from a failed agreement"));
        } else {
            _check(vault.balanceOf(t.client) == clientBefore + t.lapsePenalty, string.concat(name, ": the client gets the penalty after an agreement"));
            _check(vault.burned() == burnedBefore, string.concat(name, ": nothing burned after an agreement"));
        }
    }

    function releaseAttempt(uint256 taskSeed, uint256 provSeed, uint256 callerSeed) external step("releaseAttempt") {
        (address task, address provider) = _pick(taskSeed, provSeed, UNENDED);
        if (task == address(0)) return;
        vm.prank(actors[callerSeed % actors.length]);
        try nexus.releaseAttempt(task, provider) {
            successes["releaseAttempt"] += 1;
        } catch {}
    }

    function settle(uint256 taskSeed, uint256 callerSeed) external step("settle") {
        (address task,) = _pick(taskSeed, callerSeed, SETTLEABLE);
        if (task == address(0)) return;
        TaskTerms memory t = ITask(task).terms();
        uint256 clientBefore = vault.balanceOf(t.client);
        bool voted = ITask(task).state().selectedProvider != address(0);
        vm.prank(actors[callerSeed % actors.length]);
        try nexus.settle(task) {
            successes["settle"] += 1;
        } catch {
            return;
        }
        if (voted) expiredWithVotes += 1;
        _check(ITask(task).status() == TaskStatus.EXPIRED, "settle: an AGREEMENT task settles only unpaid");
        _check(vault.balanceOf(t.client) == clientBefore + t.payment, "settle: the whole payment back");
    }

    /// @dev Moves time: seconds to minutes mostly, sometimes past an attempt timeout, now and then past every expiry.
    function warp(uint256 seed) external step("warp") {
        uint256 mode = seed % 16;
        uint256 by = mode < 8 ? _bound(seed >> 8, 1, 10 minutes) : mode < 15 ? _bound(seed >> 8, 10 minutes, 2 hours) : 1 days + 1;
        currentTime += by;
        vm.warp(currentTime);
    }

    // ------------------------------------------------------------------ views for the invariants

    function getTasks() external view returns (address[] memory) {
        return tasks;
    }

    function getActors() external view returns (address[] memory) {
        return actors;
    }

    function getProviders() external view returns (address[] memory) {
        return providers;
    }

    function getMasters() external view returns (address[] memory) {
        return masters;
    }

    /// @dev The campaign's selectors; the steps of a vote (attempt, seal, reveal) weigh three times the others, so
    /// that juries fill and verdicts happen within a short campaign.
    function actions() external pure returns (bytes4[] memory s) {
        s = new bytes4[](15);
        (s[0], s[1], s[2], s[3]) = (this.publishTask.selector, this.attempt.selector, this.commitVote.selector, this.reveal.selector);
        (s[4], s[5], s[6], s[7]) = (this.rejectResponse.selector, this.reportLapse.selector, this.releaseAttempt.selector, this.settle.selector);
        (s[8], s[9], s[10], s[11]) = (this.warp.selector, this.attempt.selector, this.commitVote.selector, this.reveal.selector);
        (s[12], s[13], s[14]) = (this.attempt.selector, this.commitVote.selector, this.reveal.selector);
    }
}
