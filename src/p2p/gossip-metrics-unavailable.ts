/**
 * Stands in for gossipsub's `metrics.js` in the extension build (see wxt.config.ts). Gossipsub
 * builds its Prometheus metrics only when given a metrics registry, which Cairn's client never
 * passes; keeping the real module out saves ~4 KB gzip of the background bundle. The label enums
 * gossipsub passes to its (absent) metrics object are kept, with the same values.
 */

export class GossipMetricsUnavailableError extends Error {
  override name = 'GossipMetricsUnavailableError';
  constructor() {
    super('Gossipsub metrics are not bundled in the extension');
  }
}

export function getMetrics(): never {
  throw new GossipMetricsUnavailableError();
}

export const InclusionReason = {
  Fanout: 'fanout',
  Random: 'random',
  Subscribed: 'subscribed',
  Outbound: 'outbound',
  NotEnough: 'not_enough',
  Opportunistic: 'opportunistic',
} as const;

export const ChurnReason = {
  Dc: 'disconnected',
  BadScore: 'bad_score',
  Prune: 'prune',
  Excess: 'excess',
} as const;

export const ScorePenalty = {
  GraftBackoff: 'graft_backoff',
  BrokenPromise: 'broken_promise',
  MessageDeficit: 'message_deficit',
  IPColocation: 'IP_colocation',
} as const;

export const IHaveIgnoreReason = {
  LowScore: 'low_score',
  MaxIhave: 'max_ihave',
  MaxIasked: 'max_iasked',
} as const;

export const IDontWantSkipPath = { forward: 'forward', iwant: 'iwant' } as const;
