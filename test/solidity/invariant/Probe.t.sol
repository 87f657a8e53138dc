// SPDX-License-Identifier: MIT
pragma solidity 0.8.29;

import {HandlerReachBase} from "./HandlerReach.t.sol";

contract ProbeTest is HandlerReachBase {
    function test_probe1() public { _run(0x5eed, 800); _summary(); }
    function test_probe2() public { _run(0x5eed, 1200); _summary(); }
    function test_probe3() public { _run(0xbeef, 800); _summary(); }
}
