/**
 * The relay daemon's configuration: command-line flags, each with an environment variable
 * fallback (flags win), validated with the flag named in every error.
 */
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { RelayAnchoringInit } from './anchoring-setup.ts';
import { LOG_LEVELS, type LogLevel } from './logger.ts';
import { DEFAULT_RATE_LIMITS, type RelayRateLimits, type TokenBucketConfig } from './rate-limiter.ts';
import type { RelayServiceInit } from './relay-service.ts';

export const DEFAULT_LISTEN = '/ip4/127.0.0.1/tcp/9090/ws';
export const DEFAULT_DATA_DIR = '.cairn-relay';

export const USAGE = `Usage: cairn-relay [options]

A Cairn relay: forwards gossip, stores envelopes (SQLite), serves the store protocol.

Options (environment variable in brackets; flags win):
  --listen <multiaddr>       Listen address, repeatable or comma-separated [CAIRN_RELAY_LISTEN]
                             (default ${DEFAULT_LISTEN})
  --announce <multiaddr>     Address to advertise instead, repeatable [CAIRN_RELAY_ANNOUNCE]
  --data-dir <path>          Data directory [CAIRN_RELAY_DATA] (default ${DEFAULT_DATA_DIR})
  --peer-key <path>          Peer key file [CAIRN_RELAY_PEER_KEY] (default <data-dir>/peer.key)
  --retention-days <days>    Keep conversation/invite envelopes this long [CAIRN_RELAY_RETENTION_DAYS] (default 30)
  --max-per-topic <n>        Envelopes kept per conversation/invite topic [CAIRN_RELAY_MAX_PER_TOPIC] (default 10000)
  --publish-limit <r>/<b>    Per-peer publishes per second / burst [CAIRN_RELAY_PUBLISH_LIMIT] (default ${limitText(DEFAULT_RATE_LIMITS.publish)})
  --query-limit <r>/<b>      Per-peer queries per second / burst [CAIRN_RELAY_QUERY_LIMIT] (default ${limitText(DEFAULT_RATE_LIMITS.query)})
  --pin-limit <r>/<b>        Per-peer pins per second / burst [CAIRN_RELAY_PIN_LIMIT] (default ${limitText(DEFAULT_RATE_LIMITS.pin)})
  --max-blob-mib <MiB>       Largest pinned blob [CAIRN_RELAY_MAX_BLOB_MIB] (default 16)
  --anchor-rpc <url>         Anchor message batches on this chain (JSON-RPC, http/https) [CAIRN_RELAY_ANCHOR_RPC]
  --anchor-contract <addr>   The Anchor contract there [CAIRN_RELAY_ANCHOR_CONTRACT]
                             The funded key that submits batches comes from CAIRN_RELAY_ANCHOR_KEY (0x…) only
  --anchor-interval <s>      Cut a batch this long after its first message [CAIRN_RELAY_ANCHOR_INTERVAL] (default 30)
  --anchor-max-leaves <n>    … or at this many messages [CAIRN_RELAY_ANCHOR_MAX_LEAVES] (default 10000)
  --anchor-confirmations <n|finalized>
                             Blocks deep before "anchored", or the chain's finalized block
                             [CAIRN_RELAY_ANCHOR_CONFIRMATIONS] (default 3)
  --anchor-poll <s>          How often to look at the chain while waiting [CAIRN_RELAY_ANCHOR_POLL] (default 2)
  --anchor-reorg-window <s>  Re-check anchored batches for reorgs this long after anchoring; 0 = off
                             [CAIRN_RELAY_ANCHOR_REORG_WINDOW] (default 3600)
  --anchor-reorg-poll <s>    … this often [CAIRN_RELAY_ANCHOR_REORG_POLL] (default 30)
  --log-level <level>        ${LOG_LEVELS.join(' | ')} [CAIRN_RELAY_LOG_LEVEL] (default info)
  -h, --help                 Show this help

On start it prints one line per address: "cairn-relay listening <multiaddr>/p2p/<peer id>".
SIGINT / SIGTERM stop it cleanly (in-flight requests finish, the database is closed).`;

export interface RelayCliConfig {
  service: RelayServiceInit;
  logLevel: LogLevel;
}

export type ParsedRelayArgs = { help: true } | { help: false; config: RelayCliConfig };

/** A flag or environment variable with an invalid value. */
export class RelayConfigError extends Error {
  override name = 'RelayConfigError';
}

function limitText(limit: TokenBucketConfig): string {
  return `${limit.ratePerSecond}/${limit.burst}`;
}

function list(values: readonly string[] | undefined, env: string | undefined): string[] | undefined {
  const raw = values && values.length > 0 ? values : env ? [env] : undefined;
  return raw
    ?.flatMap((value) => value.split(','))
    .map((value) => value.trim())
    .filter((value) => value.length > 0);
}

function multiaddrs(name: string, values: string[] | undefined): string[] | undefined {
  for (const value of values ?? []) {
    if (!value.startsWith('/')) throw new RelayConfigError(`"${name}" expected a multiaddr, got ${value}`);
  }
  return values;
}

function number(name: string, text: string | undefined, min: number, max: number): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value) || value < min || value > max) {
    throw new RelayConfigError(`"${name}" expected a number in ${min}..${max}, got ${text}`);
  }
  return value;
}

function bucket(name: string, text: string | undefined): TokenBucketConfig | undefined {
  if (text === undefined) return undefined;
  const match = /^(\d+(?:\.\d+)?)\/(\d+)$/.exec(text.trim());
  const ratePerSecond = Number(match?.[1]);
  const burst = Number(match?.[2]);
  if (!match || !(ratePerSecond > 0) || !(burst >= 1)) {
    throw new RelayConfigError(`"${name}" expected <per-second>/<burst>, e.g. 20/100, got ${text}`);
  }
  return { ratePerSecond, burst };
}

/**
 * Parses flags (`argv` without node and script) with `env` fallbacks.
 * @throws RelayConfigError
 */
export function parseRelayArgs(
  argv: readonly string[],
  env: Record<string, string | undefined>,
): ParsedRelayArgs {
  let values: ReturnType<typeof parse>['values'];
  try {
    values = parse(argv).values;
  } catch (cause) {
    throw new RelayConfigError(cause instanceof Error ? cause.message : 'invalid arguments');
  }
  if (values.help) return { help: true };
  const dataDir = resolve(values['data-dir'] ?? env.CAIRN_RELAY_DATA ?? DEFAULT_DATA_DIR);
  const peerKey = values['peer-key'] ?? env.CAIRN_RELAY_PEER_KEY;
  const levelText = values['log-level'] ?? env.CAIRN_RELAY_LOG_LEVEL ?? 'info';
  const logLevel = LOG_LEVELS.find((level) => level === levelText);
  if (!logLevel) {
    throw new RelayConfigError(`"--log-level" expected one of ${LOG_LEVELS.join(', ')}, got ${levelText}`);
  }
  const rateLimits: Partial<RelayRateLimits> = {};
  for (const kind of ['publish', 'query', 'pin'] as const) {
    const limit = bucket(
      `--${kind}-limit`,
      values[`${kind}-limit`] ?? env[`CAIRN_RELAY_${kind.toUpperCase()}_LIMIT`],
    );
    if (limit) rateLimits[kind] = limit;
  }
  const retentionDays = number(
    '--retention-days',
    values['retention-days'] ?? env.CAIRN_RELAY_RETENTION_DAYS,
    0.001,
    36_500,
  );
  const maxPerTopic = number(
    '--max-per-topic',
    values['max-per-topic'] ?? env.CAIRN_RELAY_MAX_PER_TOPIC,
    1,
    1e9,
  );
  const maxBlobMib = number(
    '--max-blob-mib',
    values['max-blob-mib'] ?? env.CAIRN_RELAY_MAX_BLOB_MIB,
    0.001,
    1024,
  );
  const announce = multiaddrs('--announce', list(values.announce, env.CAIRN_RELAY_ANNOUNCE));
  const anchoring = anchoringConfig(values, env);
  const service: RelayServiceInit = {
    listen: multiaddrs('--listen', list(values.listen, env.CAIRN_RELAY_LISTEN)) ?? [DEFAULT_LISTEN],
    dataDir,
    peerKeyPath: peerKey ? resolve(peerKey) : join(dataDir, 'peer.key'),
    rateLimits,
    ...(announce?.length ? { announce } : {}),
    ...(retentionDays !== undefined ? { retentionDays } : {}),
    ...(maxPerTopic !== undefined ? { maxPerTopic: Math.floor(maxPerTopic) } : {}),
    ...(maxBlobMib !== undefined ? { maxBlobBytes: Math.floor(maxBlobMib * 1024 * 1024) } : {}),
    ...(anchoring ? { anchoring } : {}),
  };
  return { help: false, config: { service, logLevel } };
}

function parse(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    strict: true,
    allowPositionals: false,
    options: {
      listen: { type: 'string', multiple: true },
      announce: { type: 'string', multiple: true },
      'data-dir': { type: 'string' },
      'peer-key': { type: 'string' },
      'retention-days': { type: 'string' },
      'max-per-topic': { type: 'string' },
      'publish-limit': { type: 'string' },
      'query-limit': { type: 'string' },
      'pin-limit': { type: 'string' },
      'max-blob-mib': { type: 'string' },
      'anchor-rpc': { type: 'string' },
      'anchor-contract': { type: 'string' },
      'anchor-interval': { type: 'string' },
      'anchor-max-leaves': { type: 'string' },
      'anchor-confirmations': { type: 'string' },
      'anchor-poll': { type: 'string' },
      'anchor-reorg-window': { type: 'string' },
      'anchor-reorg-poll': { type: 'string' },
      'log-level': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}

/** The anchoring settings, or undefined without `--anchor-rpc`. @throws RelayConfigError */
function anchoringConfig(
  values: ReturnType<typeof parse>['values'],
  env: Record<string, string | undefined>,
): RelayAnchoringInit | undefined {
  const rpcUrl = values['anchor-rpc'] ?? env.CAIRN_RELAY_ANCHOR_RPC;
  if (rpcUrl === undefined) return undefined;
  if (!/^https?:\/\/[^\s]+$/.test(rpcUrl))
    throw new RelayConfigError(`"--anchor-rpc" expected an http(s) URL, got ${rpcUrl}`);
  const contract = values['anchor-contract'] ?? env.CAIRN_RELAY_ANCHOR_CONTRACT;
  if (!contract || !/^0x[0-9a-fA-F]{40}$/.test(contract)) {
    throw new RelayConfigError(
      '"--anchor-contract" expected the Anchor contract address (0x + 40 hex digits)',
    );
  }
  const privateKey = env.CAIRN_RELAY_ANCHOR_KEY;
  if (!privateKey || !/^0x[0-9a-fA-F]{64}$/.test(privateKey)) {
    throw new RelayConfigError(
      'CAIRN_RELAY_ANCHOR_KEY must hold the funded key that submits batches (0x + 64 hex digits)',
    );
  }
  const interval = number(
    '--anchor-interval',
    values['anchor-interval'] ?? env.CAIRN_RELAY_ANCHOR_INTERVAL,
    0.05,
    86_400,
  );
  const maxLeaves = number(
    '--anchor-max-leaves',
    values['anchor-max-leaves'] ?? env.CAIRN_RELAY_ANCHOR_MAX_LEAVES,
    1,
    200_000,
  );
  const poll = number('--anchor-poll', values['anchor-poll'] ?? env.CAIRN_RELAY_ANCHOR_POLL, 0.01, 600);
  const reorgWindow = number(
    '--anchor-reorg-window',
    values['anchor-reorg-window'] ?? env.CAIRN_RELAY_ANCHOR_REORG_WINDOW,
    0,
    30 * 86_400,
  );
  const reorgPoll = number(
    '--anchor-reorg-poll',
    values['anchor-reorg-poll'] ?? env.CAIRN_RELAY_ANCHOR_REORG_POLL,
    0.05,
    86_400,
  );
  const confirmationsText = values['anchor-confirmations'] ?? env.CAIRN_RELAY_ANCHOR_CONFIRMATIONS;
  const finalized = confirmationsText === 'finalized';
  const confirmations = finalized ? undefined : number('--anchor-confirmations', confirmationsText, 1, 1000);
  return {
    rpcUrl,
    contract: contract as `0x${string}`,
    privateKey: privateKey as `0x${string}`,
    ...(interval !== undefined ? { intervalMs: Math.round(interval * 1000) } : {}),
    ...(maxLeaves !== undefined ? { maxLeaves: Math.floor(maxLeaves) } : {}),
    ...(poll !== undefined ? { pollMs: Math.round(poll * 1000) } : {}),
    ...(reorgWindow !== undefined ? { watchWindowMs: Math.round(reorgWindow * 1000) } : {}),
    ...(reorgPoll !== undefined ? { watchPeriodMs: Math.round(reorgPoll * 1000) } : {}),
    ...(finalized ? { useFinalized: true } : {}),
    ...(confirmations !== undefined ? { confirmations: Math.floor(confirmations) } : {}),
  };
}
