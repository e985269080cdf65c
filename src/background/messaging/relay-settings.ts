/**
 * Which relays the messenger connects to. The default is the development relay that
 * `npm start` runs on 127.0.0.1; production relays are `wss://` multiaddrs.
 */
import * as v from 'valibot';
import type { KeyValueStore } from '../../keyring/key-value-store';
import type { RelayConfig } from './p2p-network';

export const DEFAULT_RELAYS: readonly RelayConfig[] = Object.freeze([
  { address: '/ip4/127.0.0.1/tcp/9090/ws' },
]);
const RELAYS_KEY = 'settings.relays';
export const MAX_RELAYS = 8;

const relaysSchema = v.pipe(
  v.array(v.strictObject({ address: v.pipe(v.string(), v.maxLength(512), v.startsWith('/')) })),
  v.minLength(1),
  v.maxLength(MAX_RELAYS),
);

export async function loadRelays(
  store: KeyValueStore,
  warn: (message: string) => void,
): Promise<RelayConfig[]> {
  const stored = await store.get(RELAYS_KEY);
  if (stored === undefined) return [...DEFAULT_RELAYS];
  const parsed = v.safeParse(relaysSchema, stored);
  if (parsed.success) return parsed.output;
  warn('Ignoring an invalid stored relay list; using the default relays');
  return [...DEFAULT_RELAYS];
}
