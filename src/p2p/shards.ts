/**
 * Content topics map onto a few gossipsub topics ("shards"), in the spirit of Waku
 * autosharding: a client subscribes to the shards of its own topics only, so it
 * hears a fraction of the traffic without revealing exactly which topics it reads.
 */
import { sha256 } from '@noble/hashes/sha2.js';

export const SHARD_COUNT = 8;
const SHARD_PREFIX = '/cairn/1/shard/';
const utf8 = new TextEncoder();

/** The shard number of a content topic: the first 4 bytes of sha256(topic), mod SHARD_COUNT. */
export function shardOf(contentTopic: string): number {
  const digest = sha256(utf8.encode(contentTopic));
  const head =
    ((digest[0] ?? 0) << 24) | ((digest[1] ?? 0) << 16) | ((digest[2] ?? 0) << 8) | (digest[3] ?? 0);
  return (head >>> 0) % SHARD_COUNT;
}

export function shardTopic(shard: number): string {
  if (!Number.isInteger(shard) || shard < 0 || shard >= SHARD_COUNT) {
    throw new RangeError(`Shard ${shard} is outside 0..${SHARD_COUNT - 1}`);
  }
  return `${SHARD_PREFIX}${shard}`;
}

export function shardTopicFor(contentTopic: string): string {
  return shardTopic(shardOf(contentTopic));
}

/** Every shard topic: what a relay subscribes to. */
export function allShardTopics(): string[] {
  return Array.from({ length: SHARD_COUNT }, (_, shard) => shardTopic(shard));
}

/** The distinct shard topics covering these content topics, sorted. */
export function shardTopicsFor(contentTopics: Iterable<string>): string[] {
  return [...new Set([...contentTopics].map(shardTopicFor))].sort();
}
