// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

/// @title KeyRegistry: where each address's current messaging keys are
/// @notice An address publishes the CID of its current contact bundle (the signed public keys
/// peers encrypt to). Every change is an event, so the history of an address's keys is public
/// (key transparency): a client can find a peer's bundle when no relay knows it, and show that a
/// peer's keys changed.
contract KeyRegistry {
    struct Entry {
        bytes bundleCid;
        uint64 version;
        uint64 updatedAt;
    }

    mapping(address account => Entry) private entries;

    event KeyPublished(address indexed account, uint64 indexed version, bytes bundleCid);

    error EmptyCid();
    error CidTooLong(uint256 length);

    /// @notice CIDs longer than this are refused (a CIDv1 with a sha2-256 digest is 36 bytes).
    uint256 public constant MAX_CID_BYTES = 128;

    /// @notice Publishes `bundleCid` as the sender's current contact bundle.
    function publish(bytes calldata bundleCid) external returns (uint64 version) {
        if (bundleCid.length == 0) revert EmptyCid();
        if (bundleCid.length > MAX_CID_BYTES) revert CidTooLong(bundleCid.length);
        Entry storage entry = entries[msg.sender];
        version = entry.version + 1;
        entry.bundleCid = bundleCid;
        entry.version = version;
        entry.updatedAt = uint64(block.number);
        emit KeyPublished(msg.sender, version, bundleCid);
    }

    /// @notice The current bundle CID of `account`, its version (0: never published) and the
    /// block it was published in.
    function keyOf(address account) external view returns (bytes memory bundleCid, uint64 version, uint64 updatedAt) {
        Entry storage entry = entries[account];
        return (entry.bundleCid, entry.version, entry.updatedAt);
    }
}
