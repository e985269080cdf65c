/** The real relay daemon (the bundle `npm run relay` runs) on 127.0.0.1 for the messaging e2e tests. */
import { existsSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
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

export async function startRelay(dataDir: string, options: { port?: number } = {}): Promise<RelayDaemon> {
  if (!existsSync(RELAY_BUNDLE)) await buildRelay();
  return startRelayDaemon({ dataDir, listen: `/ip4/127.0.0.1/tcp/${options.port ?? DEFAULT_RELAY_PORT}/ws` });
}
