import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_LISTEN, parseRelayArgs, RelayConfigError } from '../../src/relay/relay-config.ts';

describe('parseRelayArgs', () => {
  it('has working defaults', () => {
    const parsed = parseRelayArgs([], {});
    if (parsed.help) throw new Error('unexpected help');
    expect(parsed.config.logLevel).toBe('info');
    expect(parsed.config.service).toMatchObject({
      listen: [DEFAULT_LISTEN],
      dataDir: resolve('.cairn-relay'),
      peerKeyPath: join(resolve('.cairn-relay'), 'peer.key'),
    });
  });

  it('reads the environment, and flags win over it', () => {
    const env = {
      CAIRN_RELAY_LISTEN: '/ip4/0.0.0.0/tcp/1/ws,/ip4/0.0.0.0/tcp/2/ws',
      CAIRN_RELAY_DATA: '/srv/relay',
      CAIRN_RELAY_LOG_LEVEL: 'warn',
      CAIRN_RELAY_PUBLISH_LIMIT: '5/50',
    };
    const fromEnv = parseRelayArgs([], env);
    if (fromEnv.help) throw new Error('unexpected help');
    expect(fromEnv.config.service.listen).toEqual(['/ip4/0.0.0.0/tcp/1/ws', '/ip4/0.0.0.0/tcp/2/ws']);
    expect(fromEnv.config.service.peerKeyPath).toBe('/srv/relay/peer.key');
    expect(fromEnv.config.service.rateLimits).toEqual({ publish: { ratePerSecond: 5, burst: 50 } });
    const flags = parseRelayArgs(
      [
        '--listen',
        '/ip4/127.0.0.1/tcp/0/ws',
        '--data-dir',
        '/tmp/x',
        '--peer-key',
        '/keys/relay.key',
        '--retention-days',
        '7',
        '--log-level',
        'debug',
        '--announce',
        '/dns4/relay.example/tcp/443/wss',
        '--max-blob-mib',
        '1',
      ],
      env,
    );
    if (flags.help) throw new Error('unexpected help');
    expect(flags.config.logLevel).toBe('debug');
    expect(flags.config.service).toMatchObject({
      listen: ['/ip4/127.0.0.1/tcp/0/ws'],
      dataDir: '/tmp/x',
      peerKeyPath: '/keys/relay.key',
      retentionDays: 7,
      announce: ['/dns4/relay.example/tcp/443/wss'],
      maxBlobBytes: 1024 * 1024,
    });
  });

  it('anchors only with an RPC URL, a contract and a key from the environment', () => {
    const key = `0x${'ab'.repeat(32)}`;
    const contract = '0x5FbDB2315678afecb367f032d93F642f64180aa3';
    const none = parseRelayArgs([], {});
    if (none.help) throw new Error('unexpected help');
    expect(none.config.service.anchoring).toBeUndefined();
    const parsed = parseRelayArgs(
      [
        '--anchor-rpc',
        'http://127.0.0.1:8545',
        '--anchor-interval',
        '2',
        '--anchor-confirmations',
        'finalized',
      ],
      {
        CAIRN_RELAY_ANCHOR_CONTRACT: contract,
        CAIRN_RELAY_ANCHOR_KEY: key,
        CAIRN_RELAY_ANCHOR_MAX_LEAVES: '500',
      },
    );
    if (parsed.help) throw new Error('unexpected help');
    expect(parsed.config.service.anchoring).toEqual({
      rpcUrl: 'http://127.0.0.1:8545',
      contract,
      privateKey: key,
      intervalMs: 2000,
      maxLeaves: 500,
      useFinalized: true,
    });
    const rpc = ['--anchor-rpc', 'https://sepolia.base.org'];
    expect(() => parseRelayArgs(rpc, { CAIRN_RELAY_ANCHOR_CONTRACT: contract })).toThrow(
      /CAIRN_RELAY_ANCHOR_KEY/,
    );
    expect(() => parseRelayArgs(rpc, { CAIRN_RELAY_ANCHOR_KEY: key })).toThrow(/--anchor-contract/);
    expect(() =>
      parseRelayArgs(['--anchor-rpc', 'ftp://x', '--anchor-contract', contract], {
        CAIRN_RELAY_ANCHOR_KEY: key,
      }),
    ).toThrow(RelayConfigError);
    expect(() =>
      parseRelayArgs([...rpc, '--anchor-contract', contract, '--anchor-confirmations', '0'], {
        CAIRN_RELAY_ANCHOR_KEY: key,
      }),
    ).toThrow(RelayConfigError);
  });

  it('takes the reorg watch window and period, flags over the environment; 0 turns it off', () => {
    const base = ['--anchor-rpc', 'http://127.0.0.1:8545', '--anchor-contract', `0x${'12'.repeat(20)}`];
    const env = { CAIRN_RELAY_ANCHOR_KEY: `0x${'ab'.repeat(32)}`, CAIRN_RELAY_ANCHOR_REORG_POLL: '5' };
    const parsed = parseRelayArgs([...base, '--anchor-reorg-window', '600'], env);
    if (parsed.help) throw new Error('unexpected help');
    expect(parsed.config.service.anchoring).toMatchObject({ watchWindowMs: 600_000, watchPeriodMs: 5000 });
    const off = parseRelayArgs([...base, '--anchor-reorg-window', '0', '--anchor-reorg-poll', '0.5'], env);
    if (off.help) throw new Error('unexpected help');
    expect(off.config.service.anchoring).toMatchObject({ watchWindowMs: 0, watchPeriodMs: 500 });
    expect(() => parseRelayArgs([...base, '--anchor-reorg-poll', '0'], env)).toThrow(/--anchor-reorg-poll/);
    expect(() => parseRelayArgs([...base, '--anchor-reorg-window', '-1'], env)).toThrow(
      /--anchor-reorg-window/,
    );
  });

  it('answers --help', () => {
    expect(parseRelayArgs(['--help'], {})).toEqual({ help: true });
    expect(parseRelayArgs(['-h'], {})).toEqual({ help: true });
  });

  it.each([
    [['--bogus']],
    [['--listen', 'localhost:9090']],
    [['--retention-days', 'soon']],
    [['--retention-days', '0']],
    [['--log-level', 'loud']],
    [['--publish-limit', '20']],
    [['--query-limit', '0/10']],
    [['positional']],
  ])('refuses %j', (argv) => {
    expect(() => parseRelayArgs(argv, {})).toThrow(RelayConfigError);
  });
});
