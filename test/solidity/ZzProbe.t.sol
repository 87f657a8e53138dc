// SPDX-License-Identifier: MIT
pragma solidity 0.8.29;
import {NexusFixture} from "./helpers/NexusFixture.sol";
import {TaskTerms} from "../../contracts/types/NexusTypes.sol";
contract ZzProbeTest is NexusFixture {
    function test_probe() public view {
        TaskTerms memory t = taskImpl.terms();
        assertEq(t.payment, 12345, "payment");
        assertEq(taskImpl.escrow(), 12345, "escrow");
    }
}
