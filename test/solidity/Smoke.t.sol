// SPDX-License-Identifier: MIT
pragma solidity 0.8.29;
import {NexusFixture} from "./helpers/NexusFixture.sol";
import {ITask} from "../../contracts/interfaces/ITask.sol";
import {TaskStatus} from "../../contracts/types/NexusTypes.sol";
contract SmokeTest is NexusFixture {
    function test_smoke() public {
        address s = _publishFirstResponseSource();
        _setupProvider(s, provider, master);
        address t = _publishTask(s);
        _attempt(t, provider);
        _respond(t, provider, 0);
        assertEq(uint8(ITask(t).status()), uint8(TaskStatus.FINALIZED));
        assertEq(vault.balanceOf(master), PAYMENT - _fee(PAYMENT));
    }
}
