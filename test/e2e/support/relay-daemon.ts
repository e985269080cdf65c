/** The real relay daemon (the bundle `npm run relay` runs) on 127.0.0.1 for the messaging e2e tests. */
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildRelay, RELAY_BUNDLE } from '../../../scripts/build-relay.ts';
import { type RelayProcess, startRelayDaemon } from '../../../scripts/relay-process.ts';

/** The extension's default relay (src/background/messaging/relay-settings.ts). */
export const DEFAULT_RELAY_PORT = 9090;

export type RelayDaemon = RelayProcess;

export async function newRelayDataDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'cairn-relay-'));
}

/** Deletes the relay's envelope store (it must be stopped); its pinned blocks stay. */
export async function forgetEnvelopes(dataDir: string): Promise<void> {
  for (const file of await readdir(dataDir)) {
    if (file.startsWith('envelopes.sqlite')) await rm(join(dataDir, file));
  }
}

export interface RelayAnchoringOptions {
  rpcUrl: string;
  contract: string;
  key: string;
}

export async function startRelay(
  dataDir: string,
  options: { port?: number; anchoring?: RelayAnchoringOptions } = {},
): Promise<RelayDaemon> {
  if (!existsSync(RELAY_BUNDLE)) await buildRelay();
  const anchoring = options.anchoring;
  return startRelayDaemon({
    dataDir,
    listen: `/ip4/127.0.0.1/tcp/${options.port ?? DEFAULT_RELAY_PORT}/ws`,
    ...(anchoring
      ? {
          // Quick batches for tests: cut after 1 s, anchored at 1 confirmation, reorgs looked for every 1 s.
          extraArgs: [
            ...['--anchor-rpc', anchoring.rpcUrl, '--anchor-contract', anchoring.contract],
            ...['--anchor-interval', '1', '--anchor-confirmations', '1', '--anchor-poll', '0.1'],
            ...['--anchor-reorg-poll', '1'],
          ],
          env: { CAIRN_RELAY_ANCHOR_KEY: anchoring.key },
        }
      : {}),
  });
}
