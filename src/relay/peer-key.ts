/**
 * The relay's libp2p identity, persisted so its peer id (part of every client's relay
 * address) survives restarts: an Ed25519 key in libp2p's protobuf encoding, mode 0600.
 */

import { mkdir, open, readFile, rename, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { generateKeyPair, privateKeyFromProtobuf, privateKeyToProtobuf } from '@libp2p/crypto/keys';
import type { PrivateKey } from '@libp2p/interface';

export interface LoadedPeerKey {
  key: PrivateKey;
  created: boolean;
  /** True when the file can be read by group or others. */
  looseMode: boolean;
}

function isMissing(error: unknown): boolean {
  return error instanceof Error && 'code' in error && error.code === 'ENOENT';
}

/** Loads the key at `path`, or creates it (mode 0600, written to a temp file then renamed). */
export async function loadOrCreatePeerKey(path: string): Promise<LoadedPeerKey> {
  try {
    const bytes = await readFile(path);
    const key = privateKeyFromProtobuf(new Uint8Array(bytes));
    const { mode } = await stat(path);
    return { key, created: false, looseMode: (mode & 0o077) !== 0 };
  } catch (error) {
    if (!isMissing(error)) throw error;
  }
  const key = await generateKeyPair('Ed25519');
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const temporary = `${path}.${process.pid}.tmp`;
  const file = await open(temporary, 'wx', 0o600);
  try {
    await file.writeFile(privateKeyToProtobuf(key));
    await file.sync();
  } finally {
    await file.close();
  }
  await rename(temporary, path);
  return { key, created: true, looseMode: false };
}
