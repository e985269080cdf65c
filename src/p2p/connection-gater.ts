/**
 * Which addresses a client may dial. Browsers refuse `ws://` and private addresses
 * by default (libp2p's browser gater); Cairn makes that explicit everywhere and opens
 * it only for the development relays the user configured (e.g. ws://127.0.0.1).
 */
import type { ConnectionGater } from '@libp2p/interface';
import { isPrivate } from '@libp2p/utils';
import type { Multiaddr } from '@multiformats/multiaddr';

/** A multiaddr without its trailing /p2p/<peer id>, for comparing dial targets. */
function transportPart(address: Multiaddr): string {
  return address.toString().replace(/\/p2p\/[^/]+$/, '');
}

export function clientConnectionGater(developmentRelays: readonly Multiaddr[]): ConnectionGater {
  const allowed = new Set(developmentRelays.map(transportPart));
  return {
    denyDialMultiaddr: (address) => {
      if (allowed.has(transportPart(address))) return false;
      const text = address.toString();
      const secureWebSocket = text.includes('/wss') || text.includes('/tls/ws');
      if (!secureWebSocket) return true;
      return isPrivate(address);
    },
  };
}
