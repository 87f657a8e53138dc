// SPDX-License-Identifier: MIT
pragma solidity 0.8.29;

import {TermsSeen, AGENT_CLIENT, AGENT_OPERATOR, UNLIMITED_ALLOWANCE} from "../../../contracts/types/NexusTypes.sol";
import {CommonBase} from "forge-std/Base.sol";
import {StdCheats} from "forge-std/StdCheats.sol";
import {StdUtils} from "forge-std/StdUtils.sol";
import {Nexus} from "../../../contracts/Nexus.sol";
import {Task} from "../../../contracts/Task.sol";
import {Source} from "../../../contracts/Source.sol";
import {IVault} from "../../../contracts/interfaces/IVault.sol";
import {ITask} from "../../../contracts/interfaces/ITask.sol";
import {ResponseCommitment} from "../../../contracts/libraries/ResponseCommitment.sol";
import {ISource} from "../../../contracts/interfaces/ISource.sol";
import {IProviderRegistry} from "../../../contracts/interfaces/IProviderRegistry.sol";
import {
    Attempt,
    AttemptState,
    DeliveryMethod,
    SourceParams,
    SourceStatus,
    Stake,
    TaskState,
    TaskStatus,
    TaskTerms,
    ENV_CPU,
    ENV_NVIDIA,
    ENV_AMD,
    VerificationMethod
} from "../../../contracts/types/NexusTypes.sol";
import {termsSeenOf} from "../helpers/TermsSeenOf.sol";

/// @notice Drives random but bounded sequences of every value-moving Nexus call across 3 clients, 2 masters and
/// 4 providers (2 per master), 4 sources (both delivery methods) and the tasks published on them, warping time
/// onto every boundary that matters. Each action predicts from the protocol's rules whether the call must succeed,
/// and checks the exact amounts it moves; any disagreement is recorded in `violation` (a handler revert would be
/// swallowed by the fuzzer, so nothing here asserts).
contract NexusHandler is CommonBase, StdCheats, StdUtils {
    uint256 internal constant BPS = 10_000;
    uint256 internal constant MAX_TASKS = 96;

    Nexus public immutable nexus;
    IVault public immutable vault;
    IProviderRegistry public immutable registry;
    address public immutable owner;
    address public immutable treasury;
    address public immutable clientAgent; // agent of clients[0]
    address public immutable masterAgent; // agent of masters[1]

    address[] public clients;
    address[] public masters;
    address[] public providers;
    mapping(address provider => address) public homeMaster;
    /// @dev The largest lapse penalty each provider's master accepted when it last announced it.
    mapping(address provider => uint256) public ghostCap;
    /// @dev The cap in force when the attempt was taken: a lapse must never cost the master more.
    mapping(address task => mapping(address provider => uint256)) public ghostCapAtAttempt;
    /// @dev What each master's live attempts reserve, by the handler's own bookkeeping.
    mapping(address master => uint256) public ghostReserved;
    /// @dev Each attempt's reservation: 0 none, RESERVED, then RELEASED or SLASHED, exactly once.
    mapping(address task => mapping(address provider => uint8)) public ghostReservation;
    address[] public sources;
    address[] public tasks;
    /// @dev Every address that can ever hold value in the vault.
    address[] public actors;

    uint256 public currentTime;

    // ------------------------------------------------------------------ ghosts
    uint256 public ghostDeposited; // native currency that entered the vault
    uint256 public ghostWithdrawn; // native currency that left it
    uint256 public ghostFeesAccrued;
    uint256 public ghostFeesCollected;
    uint256 public ghostEarnings; // net payouts to payees
    uint256 public ghostSlashed;
    uint8 internal constant RESERVED = 1;
    uint8 internal constant RELEASED = 2;
    uint8 internal constant SLASHED = 3;
    struct Committed {
        bytes32 resultHash;
        uint256 ask;
    }

    bytes32 internal constant SECRET = keccak256("secret");
    /// @dev What each provider committed on each task, so its reveal opens the commitment.
    mapping(address task => mapping(address provider => Committed)) internal ghostCommitted;
    mapping(address task => uint256) public ghostClosings; // successful closing calls per task
    mapping(address task => uint8) public ghostTerminal; // first terminal status seen + 1
    mapping(address task => uint256) public ghostEscrowReleases; // times the escrow went from payment to zero
    mapping(address task => uint256) public ghostLastEscrow; // escrow seen after the previous action
    mapping(address task => uint256) public ghostPayment;
    mapping(address task => uint8) internal seenStatuses; // bitmask of statuses the task was seen in

    bool public violated;
    string public violation;

    // ------------------------------------------------------------------ coverage counters
    mapping(bytes32 name => uint256) public calls;
    mapping(bytes32 name => uint256) public successes;
    mapping(uint8 status => uint256) public reachedStatus; // number of tasks seen in each status
    uint256 public finalizedByFirstResponse;
    uint256 public finalizedByConfirm;
    uint256 public finalizedBySettle;
    uint256 public lapses;
    uint256 public lapsesWithPenalty;
    uint256 public lapsesAfterClose;
    uint256 public slotsFull;
    uint256 public paidToFormerMaster; // paid to the backing master after the provider left or changed master
    uint256 public lapsesOfFormerMaster;
    uint256 public partialRefunds;
    uint256 public publishedWithBalance;
    uint256 public publishedWithExcess;
    uint256 public boundaryWarps;
    uint256 public unpairings;
    /// @dev Attempts refused because the task's lapse penalty is above what the provider's master accepted.
    uint256 public attemptsRefusedByMasterCap;
    /// @dev Attempts refused because the master's free lockup cannot cover the penalty.
    uint256 public attemptsRefusedForFreeLockup;
    /// @dev Attempts refused because another provider of the same master already attempted the task.
    uint256 public attemptsRefusedSameMaster;
    /// @dev Attempts refused with less than half the attempt timeout left before expiry.
    uint256 public attemptsRefusedNearExpiry;
    /// @dev Unbondings refused because they reached into the reserved part of the lockup.
    uint256 public unbondsRefusedByReservation;
    /// @dev Attempts cut short by their task's closing whose reservation was released.
    uint256 public releases;

    constructor() {
        owner = makeAddr("inv-owner");
        treasury = makeAddr("inv-treasury");
        clientAgent = makeAddr("inv-client-agent");
        masterAgent = makeAddr("inv-master-agent");
        currentTime = 1_700_000_000;
        vm.warp(currentTime);

        Task taskImpl = new Task();
        Source sourceImpl = new Source();
        nexus = new Nexus(owner, treasury, 250, 3 days, address(taskImpl), address(sourceImpl));
        vault = IVault(nexus.vault());
        registry = IProviderRegistry(nexus.registry());

        for (uint256 i; i < 3; ++i) clients.push(makeAddr(string.concat("inv-client-", vm.toString(i))));
        for (uint256 i; i < 2; ++i) masters.push(makeAddr(string.concat("inv-master-", vm.toString(i))));
        for (uint256 i; i < 4; ++i) {
            address p = makeAddr(string.concat("inv-provider-", vm.toString(i)));
            providers.push(p);
            homeMaster[p] = masters[i / 2];
        }
        for (uint256 i; i < 3; ++i) actors.push(clients[i]);
        for (uint256 i; i < 2; ++i) actors.push(masters[i]);
        for (uint256 i; i < 4; ++i) actors.push(providers[i]);
        actors.push(treasury);
        actors.push(clientAgent);
        actors.push(masterAgent);
        actors.push(owner);

        vm.prank(clients[0]);
        nexus.grantAgent(clientAgent, AGENT_CLIENT, UNLIMITED_ALLOWANCE);
        vm.prank(masters[1]);
        nexus.grantAgent(masterAgent, AGENT_OPERATOR, 0);

        // Sources: both delivery methods, tight and loose slots, penalties below and above typical lockups.
        sources.push(_source(clients[0], DeliveryMethod.MANUAL_CONFIRMATION, 2, 1 hours, 1 days, 6 hours, 0.01 ether, 1 ether, 0.5 ether));
        sources.push(_source(clients[0], DeliveryMethod.FIRST_RESPONSE, 1, 30 minutes, 12 hours, 0, 0, 0, 0.2 ether));
        sources.push(_source(clients[1], DeliveryMethod.MANUAL_CONFIRMATION, 3, 4 hours, 2 days, 1 days, 1 gwei, 2 ether, 0));
        sources.push(_source(clients[1], DeliveryMethod.FIRST_RESPONSE, 2, 2 hours, 3 days, 1 hours, 0.001 ether, 0.5 ether, 6 ether));

        for (uint256 i; i < 2; ++i) _seedDeposit(masters[i], 8 ether);
        for (uint256 i; i < 2; ++i) {
            vm.prank(masters[i]);
            nexus.lock(5 ether);
        }
        for (uint256 i; i < 4; ++i) {
            address p = providers[i];
            // Every penalty accepted at first; togglePairing lowers a provider's cap now and then.
            _announce(p, type(uint88).max);
            vm.prank(p);
            nexus.announceMaster(homeMaster[p]);
            for (uint256 s; s < sources.length; ++s) {
                vm.prank(p);
                nexus.register(sources[s], p, s % 2 == 0 ? ENV_CPU : ENV_NVIDIA);
            }
        }
        for (uint256 i; i < 3; ++i) _seedDeposit(clients[i], 20 ether);
    }

    function _announce(address provider, uint88 cap) internal {
        vm.prank(homeMaster[provider]);
        nexus.announceProvider(provider, cap);
        ghostCap[provider] = cap;
    }

    function _source(
        address by,
        DeliveryMethod method,
        uint8 maxConcurrent,
        uint32 timeout,
        uint32 maxExpiry,
        uint32 reviewWindow,
        uint96 minPayment,
        uint96 minLockup,
        uint96 penalty
    ) internal returns (address source) {
        SourceParams memory p = SourceParams({
            metadataUri: "ipfs://inv",
            metadataHash: bytes32(0),
            environments: ENV_CPU | ENV_NVIDIA | ENV_AMD,
            deliveryMethod: method,
            maxConcurrentAttempts: maxConcurrent,
            attemptTimeout: timeout,
            maxExpiryDuration: maxExpiry,
            reviewWindow: reviewWindow,
            minPayment: minPayment,
            minAvailableLockup: minLockup,
            lapsePenalty: penalty,
            verification: VerificationMethod.NONE,
            quorum: 0
        });
        vm.prank(by);
        source = nexus.publishSource(p, bytes32(sources.length));
    }

    function _seedDeposit(address who, uint256 amount) internal {
        vm.deal(who, amount);
        vm.prank(who);
        nexus.deposit{value: amount}(who);
        ghostDeposited += amount;
    }

    // ------------------------------------------------------------------ plumbing

    modifier step(bytes32 name) {
        vm.warp(currentTime);
        calls[name] += 1;
        _;
        _observeAll();
    }

    function _fail(string memory why) internal {
        if (!violated) {
            violated = true;
            violation = why;
        }
    }

    function _check(bool ok, string memory why) internal {
        if (!ok) _fail(why);
    }

    function _expect(bool predicted, bool succeeded, string memory name) internal {
        if (predicted && !succeeded) _fail(string.concat(name, ": reverted although the rules allow it"));
        if (!predicted && succeeded) _fail(string.concat(name, ": succeeded although the rules forbid it"));
    }

    function _isClosed(TaskStatus s) internal pure returns (bool) {
        return s == TaskStatus.CANCELED || s == TaskStatus.EXPIRED || s == TaskStatus.FINALIZED;
    }

    /// @dev After every action, whatever call caused it: records each task's first terminal status and the
    /// statuses it went through, checks a terminal status never changes, and tracks its escrow, which may only go
    /// from its payment to zero, once, when it closes. (Kept cheap: a failing Solidity test is replayed with
    /// stack-trace collection, whose memory grows with everything the test executed.)
    function _observeAll() internal {
        for (uint256 i; i < tasks.length; ++i) {
            address task = tasks[i];
            TaskStatus s = ITask(task).status();
            uint8 first = ghostTerminal[task];
            if (first != 0) {
                if (uint8(s) + 1 != first) _fail("terminal status changed");
                continue;
            }
            uint8 bit = uint8(1) << uint8(s);
            if (seenStatuses[task] & bit == 0) {
                seenStatuses[task] |= bit;
                reachedStatus[uint8(s)] += 1;
            }
            uint256 escrow = vault.escrowOf(task);
            if (_isClosed(s)) {
                ghostTerminal[task] = uint8(s) + 1;
                if (ghostLastEscrow[task] == ghostPayment[task] && escrow == 0) ghostEscrowReleases[task] += 1;
                else _fail("closed without releasing exactly its escrow");
                ghostLastEscrow[task] = escrow;
            } else if (escrow != ghostPayment[task]) {
                _fail("open task's escrow differs from its payment");
            }
        }
    }

    uint8 internal constant ANY = 0;
    uint8 internal constant OPEN = 1;
    uint8 internal constant ATTEMPTABLE = 2; // open and before expiry
    uint8 internal constant SETTLEABLE = 3; // open and settleable now

    /// @dev A task from the seed on that fits `kind`, or the seed's task when none does (exercising refusals).
    function _pickTask(uint256 seed, uint8 kind) internal view returns (address) {
        uint256 n = tasks.length;
        if (n == 0) return address(0);
        uint256 start = seed % n;
        if (kind != ANY) {
            for (uint256 i; i < n; ++i) {
                address t = tasks[(start + i) % n];
                if (_isClosed(ITask(t).status())) continue;
                if (kind == ATTEMPTABLE && block.timestamp >= ITask(t).terms().expiryTime) continue;
                if (kind == SETTLEABLE && block.timestamp < ITask(t).settleableAt()) continue;
                return t;
            }
        }
        return tasks[start];
    }

    /// @dev The master that backed `provider`'s attempt on `task`: the one paid, and the one answering for a lapse.
    function _payee(address task, address provider) internal view returns (address) {
        return ITask(task).attemptOf(provider).master;
    }

    // ------------------------------------------------------------------ tasks

    function publishTask(uint256 clientSeed, uint256 sourceSeed, uint256 paySeed, uint256 expirySeed, uint256 valueSeed)
        external
        step("publishTask")
    {
        if (tasks.length >= MAX_TASKS) return;
        address client = clients[clientSeed % clients.length];
        address source = sources[sourceSeed % sources.length];
        SourceParams memory p = ISource(source).params();
        bool active = ISource(source).status() == SourceStatus.ACTIVE;
        uint256 floor = p.minPayment == 0 ? 1 : p.minPayment;
        uint256 payment = _bound(paySeed, floor, 5 ether);

        uint64 expiry;
        uint256 em = expirySeed % 10;
        if (em == 0) expiry = uint64(block.timestamp); // in the past (half-open): refused
        else if (em == 1) expiry = uint64(block.timestamp + p.maxExpiryDuration + 1); // too far: refused
        else if (em == 2) expiry = uint64(block.timestamp + p.maxExpiryDuration); // the latest allowed
        else if (em == 3) expiry = uint64(block.timestamp + 1); // the earliest allowed
        else expiry = uint64(block.timestamp + _bound(expirySeed >> 8, 1, p.maxExpiryDuration));
        bool expiryOk = expiry > block.timestamp && expiry <= block.timestamp + p.maxExpiryDuration;

        uint256 value;
        uint256 vm_ = valueSeed % 4;
        if (vm_ == 0) value = payment;
        else if (vm_ == 1) value = 0;
        else if (vm_ == 2) value = payment + _bound(valueSeed >> 8, 1, 2 ether);
        else value = _bound(valueSeed >> 8, 0, payment - 1);
        bool viaAgent = client == clients[0] && (valueSeed >> 128) % 3 == 0;
        address payer = viaAgent ? clientAgent : client;

        uint256 before = vault.balanceOf(client);
        bool predicted = active && expiryOk && value + before >= payment;
        vm.deal(payer, value);
        TermsSeen memory seen = termsSeenOf(nexus, source);
        vm.prank(payer);
        address task;
        bool ok;
        if (viaAgent) {
            try nexus.publishTask{value: value}(client, source, "ipfs://cfg", bytes32(tasks.length), expiry, payment, uint64(tasks.length), seen) returns (address created) {
                task = created;
                ok = true;
            } catch {}
        } else {
            try nexus.publishTask{value: value}(payer, source, "ipfs://cfg", bytes32(tasks.length), expiry, payment, uint64(tasks.length), seen) returns (address created) {
                task = created;
                ok = true;
            } catch {}
        }
        _expect(predicted, ok, "publishTask");
        if (!ok) return;
        successes["publishTask"] += 1;
        ghostDeposited += value;
        tasks.push(task);
        ghostLastEscrow[task] = payment;
        ghostPayment[task] = payment;
        if (value < payment) publishedWithBalance += 1;
        if (value > payment) publishedWithExcess += 1;
        _check(vault.balanceOf(client) + payment == before + value, "publishTask: client balance");
        _check(vault.escrowOf(task) == payment, "publishTask: escrow");
        TaskTerms memory t = ITask(task).terms();
        _check(t.client == client && t.source == source && t.payment == payment && t.expiryTime == expiry, "publishTask: terms");
        _check(t.feeBps == nexus.feeBps(), "publishTask: fee fixed at publication");
        _check(
            t.attemptTimeout == p.attemptTimeout && t.reviewWindow == p.reviewWindow && t.lapsePenalty == p.lapsePenalty
                && t.maxConcurrentAttempts == p.maxConcurrentAttempts && t.deliveryMethod == p.deliveryMethod,
            "publishTask: copied source terms"
        );
    }

    function attempt(uint256 taskSeed, uint256 provSeed, uint256 callerSeed, uint256 suggestedSeed)
        external
        step("attempt")
    {
        bool wild = callerSeed % 8 == 0; // one in eight picks blindly, to exercise the refusals
        address task = _pickTask(taskSeed, wild ? ANY : ATTEMPTABLE);
        if (task == address(0)) return;
        address provider = providers[provSeed % providers.length];
        for (uint256 j; j < providers.length && !wild; ++j) {
            address p = providers[(provSeed + j) % providers.length];
            address m = registry.masterOf(p);
            if (
                m != address(0) && ITask(task).attemptOf(p).state == AttemptState.NONE
                    && ITask(task).terms().lapsePenalty <= ghostCap[p] && ITask(task).attemptByMaster(m) == address(0)
            ) {
                provider = p;
                break;
            }
        }
        address master = registry.masterOf(provider);
        TaskTerms memory t = ITask(task).terms();
        TaskState memory st = ITask(task).state();

        address caller = provider;
        uint256 cm = callerSeed % 3;
        if (cm == 1 && master != address(0)) caller = master;
        else if (cm == 2 && master == masters[1]) caller = masterAgent;

        uint256 suggested = suggestedSeed % 8 == 0 ? t.payment + 1 + (suggestedSeed >> 8) % 1 ether : _bound(suggestedSeed >> 8, 0, t.payment);
        // The lockup the task copied at publish, not the source's current one.
        uint8 env = ISource(t.source).environmentOf(provider);
        bool withinCap = t.lapsePenalty <= ghostCap[provider];
        uint256 freeLockup = vault.freeLockupOf(master);
        bool covered = freeLockup >= t.minAvailableLockup && freeLockup >= t.lapsePenalty;
        bool masterFirst = master == address(0) || ITask(task).attemptByMaster(master) == address(0);
        bool windowOk = block.timestamp < t.expiryTime && t.expiryTime - block.timestamp >= t.attemptTimeout / 2;
        bool predicted = master != address(0) && env != 0 && withinCap && covered && masterFirst && windowOk
            && !_isClosed(st.status) && ITask(task).attemptOf(provider).state == AttemptState.NONE
            && st.liveAttempts < t.maxConcurrentAttempts
            && (t.deliveryMethod == DeliveryMethod.FIRST_RESPONSE || suggested <= t.payment);
        uint256 reservedBefore = vault.stakeOf(master).reserved;
        if (
            master != address(0) && !_isClosed(st.status) && block.timestamp < t.expiryTime
                && st.liveAttempts >= t.maxConcurrentAttempts
        ) slotsFull += 1;

        vm.prank(caller);
        bool ok;
        try nexus.attempt(task, provider, suggested) {
            ok = true;
        } catch {}
        _expect(predicted, ok, "attempt");
        if (!ok) {
            if (master != address(0) && env != 0 && !withinCap) attemptsRefusedByMasterCap += 1;
            if (master != address(0) && env != 0 && freeLockup < t.lapsePenalty) attemptsRefusedForFreeLockup += 1;
            if (!masterFirst) attemptsRefusedSameMaster += 1;
            if (!windowOk && block.timestamp < t.expiryTime) attemptsRefusedNearExpiry += 1;
            return;
        }
        successes["attempt"] += 1;
        ghostCapAtAttempt[task][provider] = ghostCap[provider];
        ghostReserved[master] += t.lapsePenalty;
        ghostReservation[task][provider] = RESERVED;
        _check(vault.stakeOf(master).reserved == reservedBefore + t.lapsePenalty, "attempt: reserves the penalty");
        _check(ITask(task).attemptByMaster(master) == provider, "attempt: one per master");
        uint256 due = block.timestamp + t.attemptTimeout;
        uint256 deadline = due < t.expiryTime ? due : t.expiryTime;
        Attempt memory a = ITask(task).attemptOf(provider);
        _check(a.state == AttemptState.LIVE && a.deadline == deadline, "attempt: deadline = min(now + timeout, expiry)");
        _check(a.master == master, "attempt: records the backing master");
        TaskState memory after_ = ITask(task).state();
        _check(after_.liveAttempts == st.liveAttempts + 1, "attempt: live count");
        _check(after_.lastDeadline == deadline, "attempt: last deadline");
        _check(after_.status == (st.status == TaskStatus.NEW ? TaskStatus.ATTEMPTED : st.status), "attempt: status");
    }

    /// @dev Finds a (task, provider) pair whose attempt matches `wanted`, starting from the seeds; `late` selects
    /// attempts past their deadline (true) or still in time (false) when looking for LIVE ones.
    function _findAttempt(uint256 taskSeed, uint256 provSeed, AttemptState wanted, bool late)
        internal
        view
        returns (address, address)
    {
        uint256 n = tasks.length;
        for (uint256 i; i < n; ++i) {
            address task = tasks[(taskSeed + i) % n];
            // Only a late LIVE attempt (a lapse) is of interest on a closed task.
            if (ghostTerminal[task] != 0 && !(wanted == AttemptState.LIVE && late)) continue;
            for (uint256 j; j < providers.length; ++j) {
                address p = providers[(provSeed + j) % providers.length];
                Attempt memory a = ITask(task).attemptOf(p);
                if (a.state != wanted) continue;
                if (wanted == AttemptState.LIVE && (block.timestamp >= a.deadline) != late) continue;
                if (wanted == AttemptState.RESPONDED && _isClosed(ITask(task).status())) continue;
                return (task, p);
            }
        }
        return (address(0), address(0));
    }

    function submitResponse(uint256 taskSeed, uint256 provSeed, uint256 askSeed) external step("submitResponse") {
        if (tasks.length == 0) return;
        // Mostly in-time responses; one in six tries a late one, or one on a closed task.
        bool late = askSeed % 6 == 0;
        (address task, address provider) = _findAttempt(taskSeed, provSeed, AttemptState.LIVE, late);
        if (task == address(0)) {
            task = _pickTask(taskSeed, ANY);
            provider = providers[provSeed % providers.length];
        }
        TaskTerms memory t = ITask(task).terms();
        bool fr = t.deliveryMethod == DeliveryMethod.FIRST_RESPONSE;
        // A response is committed, then revealed one block (one second) later. An attempt commits once: a
        // commitment whose reveal was refused (an ask above the payment) is revealed as committed.
        if (nexus.commitmentOf(task, provider).committedAt == 0) {
            uint256 ask = (askSeed >> 8) % 10 == 0 ? t.payment + 1 : _bound(askSeed >> 16, 0, t.payment);
            vm.prank(provider);
            try nexus.commitResponse(task, ResponseCommitment.hash(task, provider, bytes32(askSeed), ask, SECRET)) {
                ghostCommitted[task][provider] = Committed({resultHash: bytes32(askSeed), ask: ask});
            } catch {}
        }
        vm.warp(vm.getBlockTimestamp() + 1);
        vm.roll(vm.getBlockNumber() + 1);
        Committed memory c = ghostCommitted[task][provider];
        uint256 asked = c.ask;
        TaskState memory st = ITask(task).state();
        Attempt memory a = ITask(task).attemptOf(provider);
        bool predicted = !_isClosed(st.status) && a.state == AttemptState.LIVE
            && nexus.commitmentOf(task, provider).committedAt != 0 && block.timestamp < a.deadline
            && (fr || asked <= t.payment);

        address payee = _payee(task, provider);
        uint256 payeeBefore = vault.balanceOf(payee);
        uint256 feesBefore = vault.accruedFees();
        uint256 fee = uint256(t.payment) * t.feeBps / BPS;
        uint256 reservedBefore = vault.stakeOf(payee).reserved;

        vm.prank(provider);
        bool ok;
        try nexus.revealResponse(task, "ipfs://res", c.resultHash, asked, SECRET) {
            ok = true;
        } catch {}
        _expect(predicted, ok, "submitResponse");
        if (!ok) return;
        successes["submitResponse"] += 1;
        _endReservation(task, provider, payee, t.lapsePenalty, RELEASED, "submitResponse");
        _check(vault.stakeOf(payee).reserved == reservedBefore - t.lapsePenalty, "submitResponse: releases the penalty");
        TaskState memory after_ = ITask(task).state();
        // A closed task reports no live attempt.
        _check(after_.liveAttempts == (fr ? 0 : st.liveAttempts - 1), "submitResponse: live count");
        if (fr) {
            ghostClosings[task] += 1;
            finalizedByFirstResponse += 1;
            if (registry.masterOf(provider) != payee) paidToFormerMaster += 1;
            ghostFeesAccrued += fee;
            ghostEarnings += t.payment - fee;
            _check(after_.status == TaskStatus.FINALIZED && ITask(task).winner() == provider, "FR: finalized");
            _check(vault.balanceOf(payee) == payeeBefore + t.payment - fee, "FR: payee gets payment - fee");
            _check(vault.accruedFees() == feesBefore + fee, "FR: fee accrued");
            _check(vault.escrowOf(task) == 0, "FR: escrow released");
        } else {
            _check(after_.status == TaskStatus.RESPONDED, "MANUAL: responded");
            Attempt memory r = ITask(task).attemptOf(provider);
            _check(r.state == AttemptState.RESPONDED && r.askedPayment == asked && r.respondedAt == block.timestamp, "MANUAL: record");
            _check(after_.selectedProvider == (st.selectedProvider == address(0) ? provider : st.selectedProvider), "MANUAL: earliest responder");
            _check(vault.balanceOf(payee) == payeeBefore && vault.escrowOf(task) == t.payment, "MANUAL: nothing paid yet");
        }
    }

    /// @dev Checks and accounts for a MANUAL payout of `provider`'s asked payment.
    function _checkManualPayout(
        address task,
        TaskTerms memory t,
        address provider,
        uint256 asked,
        address payee,
        uint256 payeeBefore,
        uint256 clientBefore,
        uint256 feesBefore,
        string memory name
    ) internal {
        uint256 fee = asked * t.feeBps / BPS;
        ghostClosings[task] += 1;
        ghostFeesAccrued += fee;
        ghostEarnings += asked - fee;
        if (registry.masterOf(provider) != payee) paidToFormerMaster += 1;
        if (asked < t.payment) partialRefunds += 1;
        _check(ITask(task).status() == TaskStatus.FINALIZED && ITask(task).winner() == provider, string.concat(name, ": finalized"));
        _check(vault.balanceOf(payee) == payeeBefore + asked - fee, string.concat(name, ": payee gets asked - fee"));
        _check(vault.balanceOf(t.client) == clientBefore + t.payment - asked, string.concat(name, ": client refund"));
        _check(vault.accruedFees() == feesBefore + fee, string.concat(name, ": fee"));
        _check(vault.escrowOf(task) == 0, string.concat(name, ": escrow"));
    }

    function confirmResponse(uint256 taskSeed, uint256 provSeed, uint256 callerSeed) external step("confirmResponse") {
        if (tasks.length == 0) return;
        (address task, address provider) = _findAttempt(taskSeed, provSeed, AttemptState.RESPONDED, false);
        if (task == address(0) || callerSeed % 10 == 0) {
            task = _pickTask(taskSeed, ANY);
            provider = providers[provSeed % providers.length];
        }
        TaskTerms memory t = ITask(task).terms();
        TaskStatus status = ITask(task).status();
        Attempt memory a = ITask(task).attemptOf(provider);
        address caller = t.client;
        if (callerSeed % 3 == 1) caller = clientAgent; // only an agent of clients[0]
        else if (callerSeed % 7 == 2) caller = providers[0]; // never authorized
        bool authorized = caller == t.client || (caller == clientAgent && t.client == clients[0]);
        bool predicted = authorized && t.deliveryMethod == DeliveryMethod.MANUAL_CONFIRMATION && !_isClosed(status)
            && block.timestamp < uint256(t.expiryTime) + t.reviewWindow && a.state == AttemptState.RESPONDED;

        address payee = _payee(task, provider);
        uint256 payeeBefore = vault.balanceOf(payee);
        uint256 clientBefore = vault.balanceOf(t.client);
        uint256 feesBefore = vault.accruedFees();
        vm.prank(caller);
        bool ok;
        try nexus.confirmResponse(task, provider) {
            ok = true;
        } catch {}
        _expect(predicted, ok, "confirmResponse");
        if (!ok) return;
        successes["confirmResponse"] += 1;
        finalizedByConfirm += 1;
        _checkManualPayout(task, t, provider, a.askedPayment, payee, payeeBefore, clientBefore, feesBefore, "confirm");
    }

    function cancelTask(uint256 taskSeed, uint256 callerSeed) external step("cancelTask") {
        address task = _pickTask(taskSeed, callerSeed % 8 != 0 ? OPEN : ANY);
        if (task == address(0)) return;
        TaskTerms memory t = ITask(task).terms();
        TaskState memory st = ITask(task).state();
        address caller = t.client;
        if (callerSeed % 3 == 1) caller = clientAgent;
        else if (callerSeed % 11 == 2) caller = clients[(callerSeed >> 8) % clients.length];
        bool authorized = caller == t.client || (caller == clientAgent && t.client == clients[0]);
        bool predicted = authorized && !_isClosed(st.status) && block.timestamp >= st.lastDeadline
            && st.selectedProvider == address(0);

        uint256 clientBefore = vault.balanceOf(t.client);
        vm.prank(caller);
        bool ok;
        try nexus.cancelTask(task) {
            ok = true;
        } catch {}
        _expect(predicted, ok, "cancelTask");
        if (!ok) return;
        successes["cancelTask"] += 1;
        ghostClosings[task] += 1;
        _check(ITask(task).status() == TaskStatus.CANCELED, "cancel: status");
        _check(vault.balanceOf(t.client) == clientBefore + t.payment, "cancel: full refund");
        _check(vault.escrowOf(task) == 0, "cancel: escrow");
    }

    function settle(uint256 taskSeed, uint256 callerSeed) external step("settle") {
        uint256 m = (callerSeed >> 8) % 8;
        address task = _pickTask(taskSeed, m == 0 ? ANY : m == 1 ? OPEN : SETTLEABLE);
        if (task == address(0)) return;
        TaskTerms memory t = ITask(task).terms();
        TaskState memory st = ITask(task).state();
        uint256 from = st.selectedProvider == address(0) ? t.expiryTime : uint256(t.expiryTime) + t.reviewWindow;
        bool predicted = !_isClosed(st.status) && block.timestamp >= from;
        _check(_isClosed(st.status) || ITask(task).settleableAt() == from, "settleableAt view");

        address provider = st.selectedProvider;
        uint256 asked = provider == address(0) ? 0 : ITask(task).attemptOf(provider).askedPayment;
        address payee = provider == address(0) ? address(0) : _payee(task, provider);
        uint256 payeeBefore = vault.balanceOf(payee);
        uint256 clientBefore = vault.balanceOf(t.client);
        uint256 feesBefore = vault.accruedFees();
        vm.prank(actors[callerSeed % actors.length]); // anyone
        bool ok;
        try nexus.settle(task) {
            ok = true;
        } catch {}
        _expect(predicted, ok, "settle");
        if (!ok) return;
        successes["settle"] += 1;
        if (provider == address(0)) {
            ghostClosings[task] += 1;
            _check(ITask(task).status() == TaskStatus.EXPIRED, "settle: expired");
            _check(vault.balanceOf(t.client) == clientBefore + t.payment, "settle: full refund");
            _check(vault.escrowOf(task) == 0, "settle: escrow");
        } else {
            finalizedBySettle += 1;
            _checkManualPayout(task, t, provider, asked, payee, payeeBefore, clientBefore, feesBefore, "settle");
        }
    }

    function reportLapse(uint256 taskSeed, uint256 provSeed, uint256 callerSeed) external step("reportLapse") {
        if (tasks.length == 0) return;
        (address task, address provider) = _findAttempt(taskSeed, provSeed, AttemptState.LIVE, true);
        if (task == address(0) || callerSeed % 6 == 0) {
            task = _pickTask(taskSeed, ANY);
            provider = providers[provSeed % providers.length];
        }
        TaskTerms memory t = ITask(task).terms();
        TaskState memory st = ITask(task).state();
        Attempt memory a = ITask(task).attemptOf(provider);
        bool closed = _isClosed(st.status);
        bool predicted = a.state == AttemptState.LIVE && block.timestamp >= a.deadline && (!closed || a.deadline <= st.closedAt);

        address master = a.master; // the master that backed the attempt, whatever the pairing is now
        Stake memory stake = vault.stakeOf(master);
        uint256 expected = t.lapsePenalty; // reserved when it attempted: always covered in full
        uint256 clientBefore = vault.balanceOf(t.client);
        vm.prank(actors[callerSeed % actors.length]); // anyone
        bool ok;
        try nexus.reportLapse(task, provider) {
            ok = true;
        } catch {}
        _expect(predicted, ok, "reportLapse");
        if (!ok) return;
        successes["reportLapse"] += 1;
        lapses += 1;
        if (expected != 0) lapsesWithPenalty += 1;
        if (registry.masterOf(provider) != master) lapsesOfFormerMaster += 1;
        if (closed) lapsesAfterClose += 1;
        ghostSlashed += expected;
        _endReservation(task, provider, master, expected, SLASHED, "reportLapse");
        _check(vault.balanceOf(t.client) == clientBefore + expected, "lapse: client gets the whole penalty");
        _check(expected <= ghostCapAtAttempt[task][provider], "lapse: the master lost more than it accepted");
        Stake memory after_ = vault.stakeOf(master);
        _check(
            after_.lockup == stake.lockup - expected && after_.reserved == stake.reserved - expected
                && after_.unbonding == stake.unbonding,
            "lapse: the reservation leaves the lockup, the unbonding is untouched"
        );
        _check(ITask(task).attemptOf(provider).state == AttemptState.LAPSED, "lapse: state");
        _check(ITask(task).state().liveAttempts == (closed ? st.liveAttempts : st.liveAttempts - 1), "lapse: slot freed");
    }

    /// @dev Books the end of one attempt's reservation, which must still be RESERVED: each ends exactly once.
    function _endReservation(address task, address provider, address master, uint256 penalty, uint8 end, string memory name)
        internal
    {
        _check(ghostReservation[task][provider] == RESERVED, string.concat(name, ": ends a reservation that already ended"));
        ghostReservation[task][provider] = end;
        ghostReserved[master] -= penalty;
    }

    /// @dev Releases the reservation of an attempt its task's closing cut short; one in six tries a blind pair.
    function releaseAttempt(uint256 taskSeed, uint256 provSeed, uint256 callerSeed) external step("releaseAttempt") {
        uint256 n = tasks.length;
        if (n == 0) return;
        address task;
        address provider;
        for (uint256 i; i < n && task == address(0) && callerSeed % 6 != 0; ++i) {
            address t_ = tasks[(taskSeed + i) % n];
            if (ghostTerminal[t_] == 0) continue;
            for (uint256 j; j < providers.length; ++j) {
                address p = providers[(provSeed + j) % providers.length];
                Attempt memory c = ITask(t_).attemptOf(p);
                if (c.state == AttemptState.LIVE && c.deadline > ITask(t_).state().closedAt) {
                    (task, provider) = (t_, p);
                    break;
                }
            }
        }
        if (task == address(0)) {
            task = _pickTask(taskSeed, ANY);
            provider = providers[provSeed % providers.length];
        }
        TaskTerms memory t = ITask(task).terms();
        TaskState memory st = ITask(task).state();
        Attempt memory a = ITask(task).attemptOf(provider);
        // The view shows a FIRST_RESPONSE winner as RESPONDED: its reservation went back when it answered.
        bool predicted = a.state == AttemptState.LIVE && _isClosed(st.status) && a.deadline > st.closedAt;
        Stake memory stake = vault.stakeOf(a.master);
        vm.prank(actors[callerSeed % actors.length]); // anyone
        bool ok;
        try nexus.releaseAttempt(task, provider) {
            ok = true;
        } catch {}
        _expect(predicted, ok, "releaseAttempt");
        if (!ok) return;
        successes["releaseAttempt"] += 1;
        releases += 1;
        _endReservation(task, provider, a.master, t.lapsePenalty, RELEASED, "releaseAttempt");
        Stake memory after_ = vault.stakeOf(a.master);
        _check(
            after_.reserved == stake.reserved - t.lapsePenalty && after_.lockup == stake.lockup,
            "release: the reservation goes back to the free lockup"
        );
        _check(ITask(task).attemptOf(provider).state == AttemptState.RELEASED, "release: state");
    }

    // ------------------------------------------------------------------ vault

    function deposit(uint256 fromSeed, uint256 toSeed, uint256 amountSeed) external step("deposit") {
        address from = actors[fromSeed % actors.length];
        address to = actors[toSeed % actors.length];
        uint256 amount = amountSeed % 12 == 0 ? 0 : _bound(amountSeed >> 8, 1, 10 ether);
        uint256 before = vault.balanceOf(to);
        vm.deal(from, amount);
        vm.prank(from);
        bool ok;
        try nexus.deposit{value: amount}(to) {
            ok = true;
        } catch {}
        _expect(amount != 0, ok, "deposit");
        if (!ok) return;
        successes["deposit"] += 1;
        ghostDeposited += amount;
        _check(vault.balanceOf(to) == before + amount, "deposit: credited");
    }

    function withdraw(uint256 actorSeed, uint256 amountSeed) external step("withdraw") {
        address who = actors[actorSeed % actors.length];
        uint256 balance = vault.balanceOf(who);
        uint256 amount;
        uint256 m = amountSeed % 8;
        if (m == 0) amount = balance + 1;
        else if (m == 1) amount = balance;
        else if (m == 2) amount = 0;
        else amount = balance == 0 ? 1 : _bound(amountSeed >> 8, 1, balance);
        uint256 nativeBefore = who.balance;
        vm.prank(who);
        bool ok;
        try nexus.withdraw(amount) {
            ok = true;
        } catch {}
        _expect(amount != 0 && amount <= balance, ok, "withdraw");
        if (!ok) return;
        successes["withdraw"] += 1;
        ghostWithdrawn += amount;
        _check(who.balance == nativeBefore + amount, "withdraw: sent to caller");
        _check(vault.balanceOf(who) == balance - amount, "withdraw: debited");
    }

    function _stakeholder(uint256 seed) internal view returns (address) {
        // Mostly masters; providers and clients may stake too (their stake is tracked all the same).
        uint256 m = seed % 8;
        if (m < 6) return masters[m % 2];
        if (m == 6) return providers[(seed >> 8) % providers.length];
        return clients[(seed >> 8) % clients.length];
    }

    function lock(uint256 whoSeed, uint256 amountSeed) external step("lock") {
        address who = _stakeholder(whoSeed);
        uint256 balance = vault.balanceOf(who);
        uint256 amount = amountSeed % 10 == 0 ? balance + 1 : _bound(amountSeed >> 8, 1, balance == 0 ? 1 : balance);
        uint256 lockupBefore = vault.lockupOf(who);
        vm.prank(who);
        bool ok;
        try nexus.lock(amount) {
            ok = true;
        } catch {}
        _expect(amount <= balance, ok, "lock");
        if (!ok) return;
        successes["lock"] += 1;
        _check(vault.lockupOf(who) == lockupBefore + amount && vault.balanceOf(who) == balance - amount, "lock: moved");
    }

    function unbond(uint256 whoSeed, uint256 amountSeed) external step("unbond") {
        address who = _stakeholder(whoSeed);
        Stake memory s = vault.stakeOf(who);
        uint256 free = s.lockup - s.reserved;
        uint256 m = amountSeed % 10;
        // Mostly within the free part; now and then past the lockup, or into the reserved part.
        uint256 amount = m == 0 ? uint256(s.lockup) + 1 : m < 4 ? free + 1 : _bound(amountSeed >> 8, 1, free == 0 ? 1 : free);
        vm.prank(who);
        bool ok;
        try nexus.unbond(amount) {
            ok = true;
        } catch {}
        _expect(amount <= s.lockup - s.reserved, ok, "unbond");
        if (!ok) {
            if (amount <= s.lockup) unbondsRefusedByReservation += 1;
            return;
        }
        successes["unbond"] += 1;
        Stake memory n = vault.stakeOf(who);
        _check(
            n.lockup + amount == s.lockup && n.unbonding == s.unbonding + amount
                && n.unbondingMaturesAt == block.timestamp + vault.unbondingPeriod(),
            "unbond: adds and restarts the timer"
        );
    }

    function cancelUnbonding(uint256 whoSeed) external step("cancelUnbonding") {
        address who = _stakeholder(whoSeed);
        Stake memory s = vault.stakeOf(who);
        vm.prank(who);
        bool ok;
        try nexus.cancelUnbonding() {
            ok = true;
        } catch {}
        _expect(s.unbonding != 0, ok, "cancelUnbonding");
        if (!ok) return;
        successes["cancelUnbonding"] += 1;
        Stake memory n = vault.stakeOf(who);
        _check(n.lockup == s.lockup + s.unbonding && n.unbonding == 0, "cancelUnbonding: back to lockup");
    }

    function claim(uint256 whoSeed) external step("claim") {
        address who = _stakeholder(whoSeed);
        Stake memory s = vault.stakeOf(who);
        uint256 balance = vault.balanceOf(who);
        vm.prank(who);
        bool ok;
        try nexus.claim() {
            ok = true;
        } catch {}
        _expect(s.unbonding != 0 && block.timestamp >= s.unbondingMaturesAt, ok, "claim");
        if (!ok) return;
        successes["claim"] += 1;
        _check(vault.balanceOf(who) == balance + s.unbonding && vault.stakeOf(who).unbonding == 0, "claim: credited");
    }

    function collectFees(uint256 callerSeed) external step("collectFees") {
        uint256 fees = vault.accruedFees();
        uint256 before = vault.balanceOf(treasury);
        vm.prank(actors[callerSeed % actors.length]);
        bool ok;
        try nexus.collectFees() {
            ok = true;
        } catch {}
        _expect(fees != 0, ok, "collectFees");
        if (!ok) return;
        successes["collectFees"] += 1;
        ghostFeesCollected += fees;
        _check(vault.balanceOf(treasury) == before + fees && vault.accruedFees() == 0, "collectFees: to treasury");
    }

    // ------------------------------------------------------------------ environment

    /// @dev Moves time forward: a little, a lot, or onto (±1 s of) a boundary of a random task or unbonding.
    function warp(uint256 seed) external step("warp") {
        uint256 m = seed % 9;
        uint256 target;
        if (m >= 2 && m < 8) boundaryWarps += 1;
        if (m == 0 || m == 8) target = block.timestamp + _bound(seed >> 8, 1, 30 minutes);
        else if (m == 1) target = block.timestamp + _bound(seed >> 8, 30 minutes, 1 days);
        else if (m == 7) {
            Stake memory s = vault.stakeOf(masters[(seed >> 8) % 2]);
            target = s.unbondingMaturesAt;
        } else if (tasks.length != 0) {
            address task = tasks[(seed >> 8) % tasks.length];
            TaskTerms memory t = ITask(task).terms();
            TaskState memory st = ITask(task).state();
            if (m == 2) target = st.lastDeadline;
            else if (m == 3) target = ITask(task).attemptOf(providers[(seed >> 16) % providers.length]).deadline;
            else if (m == 4 || m == 5) target = t.expiryTime;
            else target = uint256(t.expiryTime) + t.reviewWindow;
        }
        if (target == 0) target = block.timestamp + 1;
        uint256 jitter = (seed >> 200) % 3; // -1, 0, +1
        target = target + jitter;
        target = target > 0 ? target - 1 : target;
        if (target <= currentTime) target = currentTime + 1;
        currentTime = target;
        vm.warp(target);
        successes["warp"] += 1;
    }

    /// @dev A provider leaves its master or comes back: payouts then go to the provider key, and no stake backs it.
    function togglePairing(uint256 provSeed) external step("togglePairing") {
        address p = providers[provSeed % providers.length];
        bool paired = registry.masterOf(p) != address(0);
        if (paired && (provSeed >> 8) % 2 != 0) return; // leaving is rarer than coming back
        if (!paired) {
            // The master may change what it accepts while the provider is away; registrations stay.
            // One return in four lowers the cap (to 0.3 ether or to nothing); the rest accept every penalty.
            uint256 pick = (provSeed >> 16) % 8;
            _announce(p, pick == 6 ? 0.3 ether : pick == 7 ? 0 : type(uint88).max);
        }
        vm.prank(p);
        bool ok;
        if (paired) {
            try nexus.revokeMaster() {
                ok = true;
            } catch {}
        } else {
            try nexus.announceMaster(homeMaster[p]) {
                ok = true;
            } catch {}
        }
        _expect(true, ok, "togglePairing");
        unpairings += paired ? 1 : 0;
        if (ok) successes["togglePairing"] += 1;
        _check(registry.masterOf(p) == (paired ? address(0) : homeMaster[p]), "togglePairing: state");
    }

    function setFee(uint256 seed) external step("setFee") {
        uint16 fee = uint16(_bound(seed, 0, 1_000));
        vm.prank(owner);
        nexus.setFee(fee);
        successes["setFee"] += 1;
    }

    function toggleSource(uint256 seed) external step("toggleSource") {
        address source = sources[seed % sources.length];
        // Deactivate one time in four, otherwise (re)activate: sources spend most of their time active.
        SourceStatus next = (seed >> 8) % 4 == 0 ? SourceStatus.INACTIVE : SourceStatus.ACTIVE;
        vm.prank(ISource(source).client());
        nexus.setSourceStatus(source, next);
        successes["toggleSource"] += 1;
    }

    // ------------------------------------------------------------------ views for the invariants

    function taskCount() external view returns (uint256) {
        return tasks.length;
    }

    function actorCount() external view returns (uint256) {
        return actors.length;
    }

    function providerCount() external view returns (uint256) {
        return providers.length;
    }

    function getActors() external view returns (address[] memory) {
        return actors;
    }

    function getTasks() external view returns (address[] memory) {
        return tasks;
    }

    function getProviders() external view returns (address[] memory) {
        return providers;
    }

    function getMasters() external view returns (address[] memory) {
        return masters;
    }

    /// @dev The action selectors the fuzzer may call.
    function actions() external pure returns (bytes4[] memory s) {
        s = new bytes4[](19);
        s[0] = this.publishTask.selector;
        s[1] = this.attempt.selector;
        s[2] = this.submitResponse.selector;
        s[3] = this.confirmResponse.selector;
        s[4] = this.cancelTask.selector;
        s[5] = this.settle.selector;
        s[6] = this.reportLapse.selector;
        s[7] = this.deposit.selector;
        s[8] = this.withdraw.selector;
        s[9] = this.lock.selector;
        s[10] = this.unbond.selector;
        s[11] = this.cancelUnbonding.selector;
        s[12] = this.claim.selector;
        s[13] = this.collectFees.selector;
        s[14] = this.warp.selector;
        s[15] = this.togglePairing.selector;
        s[16] = this.setFee.selector;
        s[17] = this.toggleSource.selector;
        s[18] = this.releaseAttempt.selector;
    }
}
