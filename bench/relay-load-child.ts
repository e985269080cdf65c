/**
 * Child process of the relay throughput benchmark (spawned by `relay-throughput.ts`, pinned to
 * a CPU other than the relay's): runs `relayLoad` against one relay and writes its result as
 * one JSON line on stdout. Progress goes to stderr.
 *
 * Usage: node bench/relay-load-child.ts --relay <multiaddr> --path gossip|store
 *          [--relay-pid N] [--publishers N] [--window N] [--warmup-ms N] [--duration-ms N]
 */
import { parseArgs } from 'node:util';
import { importRelayLoad } from './p2p-loader.ts';

const { values } = parseArgs({
  options: {
    relay: { type: 'string' },
    'relay-pid': { type: 'string' },
    path: { type: 'string' },
    publishers: { type: 'string', default: '4' },
    window: { type: 'string', default: '128' },
    'warmup-ms': { type: 'string', default: '1000' },
    'duration-ms': { type: 'string', default: '4000' },
  },
  strict: true,
});
const path = values.path;
if (path !== 'gossip' && path !== 'store') throw new RangeError('"--path" expected gossip or store');
if (!values.relay) throw new RangeError('"--relay" expected a multiaddr');
const integer = (name: string, text: string | undefined): number => {
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value < 0)
    throw new RangeError(`"--${name}" expected an integer, got ${text}`);
  return value;
};
const { relayLoad } = await importRelayLoad();
const result = await relayLoad({
  relay: values.relay,
  ...(values['relay-pid'] ? { relayPid: integer('relay-pid', values['relay-pid']) } : {}),
  path,
  publishers: integer('publishers', values.publishers),
  window: integer('window', values.window),
  warmupMs: integer('warmup-ms', values['warmup-ms']),
  durationMs: integer('duration-ms', values['duration-ms']),
  log: (line) => console.error(`[bench] ${line}`),
});
process.stdout.write(`${JSON.stringify(result)}\n`);
process.exit(0);
