/**
 * The extension build's stand-ins for modules a client never uses (wxt.config.ts): each refuses
 * use with its typed error, and the gossipsub one keeps the label values gossipsub itself has.
 */
import { describe, expect, it } from 'vitest';
import { CborUnavailableError, decode, encode, Token, Type } from '../../src/p2p/cbor-unavailable.ts';
import {
  ChurnReason,
  GossipMetricsUnavailableError,
  getMetrics,
  IDontWantSkipPath,
  IHaveIgnoreReason,
  InclusionReason,
  ScorePenalty,
} from '../../src/p2p/gossip-metrics-unavailable.ts';
import {
  defaultLogger,
  enable,
  enabled,
  logger,
  peerLogger,
  prefixLogger,
} from '../../src/p2p/logger-disabled.ts';

/** The module the stand-in replaces (not in gossipsub's exports map: loaded by path). */
const REAL_METRICS = new URL('../../node_modules/@libp2p/gossipsub/dist/src/metrics.js', import.meta.url)
  .href;

describe('cbor stand-in', () => {
  it('refuses every use with CborUnavailableError', () => {
    expect(() => encode()).toThrow(CborUnavailableError);
    expect(() => decode()).toThrow(CborUnavailableError);
    expect(() => new Token()).toThrow(CborUnavailableError);
    expect(() => Type.map).toThrow(CborUnavailableError);
  });
});

describe('logger stand-in', () => {
  it('gives silent, switched-off loggers in the shapes libp2p and Helia use', () => {
    for (const components of [defaultLogger(), prefixLogger('node'), peerLogger()]) {
      const log = components.forComponent('libp2p:dialer');
      expect(log.enabled).toBe(false);
      expect(() => log('dialing %p', 'peer')).not.toThrow();
      expect(() => log.error('failed %e', new Error('x'))).not.toThrow();
      expect(() => log.trace('trace')).not.toThrow();
      expect(log.newScope('queue').enabled).toBe(false);
    }
    expect(logger('x').enabled).toBe(false);
    enable();
    expect(enabled()).toBe(false);
  });
});

describe('gossipsub metrics stand-in', () => {
  it('refuses to build metrics', () => {
    expect(() => getMetrics()).toThrow(GossipMetricsUnavailableError);
  });

  it('has the label enums gossipsub imports, with the values of the installed gossipsub', async () => {
    const real = (await import(REAL_METRICS)) as Record<string, object>;
    expect({ ...ChurnReason }).toEqual({ ...real.ChurnReason });
    expect({ ...IDontWantSkipPath }).toEqual({ ...real.IDontWantSkipPath });
    expect({ ...IHaveIgnoreReason }).toEqual({ ...real.IHaveIgnoreReason });
    expect({ ...InclusionReason }).toEqual({ ...real.InclusionReason });
    expect({ ...ScorePenalty }).toEqual({ ...real.ScorePenalty });
  });
});
