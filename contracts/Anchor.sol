// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {MerkleProof} from "@openzeppelin/contracts/utils/cryptography/MerkleProof.sol";

/// @title Anchor: commitments to batches of Cairn messages
/// @notice Anyone may anchor the Merkle root of a batch of message leaves (an aggregator, or a
/// user anchoring their own messages); a root is anchored once. The manifest CID points at the
/// batch's leaves on IPFS, so a client can find its own and rebuild its inbox from chain + IPFS.
contract Anchor {
    /// @dev One slot per root: batch ids start at 1, so 0 means "not anchored".
    struct Record {
        uint64 batchId;
        uint64 blockNumber;
        uint64 timestamp;
    }

    mapping(bytes32 root => Record) private records;

    /// @notice Batches anchored so far; also the id of the latest one.
    uint64 public batchCount;

    event Anchored(
        uint256 indexed batchId, bytes32 indexed root, address indexed submitter, uint32 count, bytes manifestCid
    );

    error AlreadyAnchored(bytes32 root, uint64 batchId);
    error EmptyBatch();
    error ZeroRoot();

    /// @notice Commits `root`, the Merkle root of `count` leaves listed in the manifest `manifestCid`.
    function anchor(bytes32 root, uint32 count, bytes calldata manifestCid) external returns (uint64 batchId) {
        if (root == bytes32(0)) revert ZeroRoot();
        if (count == 0) revert EmptyBatch();
        uint64 existing = records[root].batchId;
        if (existing != 0) revert AlreadyAnchored(root, existing);
        batchId = ++batchCount;
        records[root] = Record(batchId, uint64(block.number), uint64(block.timestamp));
        emit Anchored(batchId, root, msg.sender, count, manifestCid);
    }

    /// @notice Whether `root` was anchored.
    function isAnchored(bytes32 root) external view returns (bool) {
        return records[root].batchId != 0;
    }

    /// @notice When `root` was anchored (all zero if it was not).
    function anchoredAt(bytes32 root) external view returns (uint64 batchId, uint64 blockNumber, uint64 timestamp) {
        Record memory record = records[root];
        return (record.batchId, record.blockNumber, record.timestamp);
    }

    /// @notice Whether `leaf` is in the anchored batch `root`, by an OpenZeppelin (sorted pair) proof.
    function verify(bytes32 root, bytes32 leaf, bytes32[] calldata proof) external view returns (bool) {
        return records[root].batchId != 0 && MerkleProof.verifyCalldata(proof, root, leaf);
    }
}
