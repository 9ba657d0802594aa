// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

/// Forwards the ETH it receives to recipients: every forwarded amount is an internal transfer.
contract Forwarder {
    receive() external payable {}

    /// Sends amounts[i] to recipients[i] (trace addresses 0, 1, ...).
    function forward(address payable[] calldata recipients, uint256[] calldata amounts) public payable {
        require(recipients.length == amounts.length, "length");
        for (uint256 i = 0; i < recipients.length; i++) {
            (bool ok, ) = recipients[i].call{value: amounts[i]}("");
            require(ok, "send failed");
        }
    }

    /// Nested forwarding: inner.forward first (trace 0, its sends are 0_0, 0_1, ...), then a direct send (trace 1).
    function forwardNested(
        Forwarder inner,
        address payable[] calldata recipients,
        uint256[] calldata amounts,
        address payable direct,
        uint256 directAmount
    ) external payable {
        uint256 sum = 0;
        for (uint256 i = 0; i < amounts.length; i++) sum += amounts[i];
        inner.forward{value: sum}(recipients, amounts);
        (bool ok, ) = direct.call{value: directAmount}("");
        require(ok, "send failed");
    }

    /// Forwards, then reverts: the transaction fails and none of its transfers happen.
    function forwardAndRevert(address payable[] calldata recipients, uint256[] calldata amounts) external payable {
        forward(recipients, amounts);
        revert("forwardAndRevert");
    }
}
