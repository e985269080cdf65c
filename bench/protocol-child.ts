/**
 * Child-process entry of the protocol benchmark (spawned by `protocol-loader.ts`, pinned to one
 * CPU): registers the `@xmtp/*` resolve hook, runs `benchProtocol` and writes the result as one
 * JSON line on stdout (bigints never occur in it). Progress goes to stderr.
 *
 * Usage: node bench/protocol-child.ts --runs N
 */
import { parseArgs } from 'node:util';
import { importProtocolBench } from './protocol-loader.ts';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '7' } }, strict: true });
const runs = Number(values.runs);
if (!Number.isSafeInteger(runs) || runs < 1) throw new RangeError(`"--runs" must be a positive integer`);
const { benchProtocol } = await importProtocolBench();
const result = await benchProtocol({ runs, log: (line) => console.error(`[bench] ${line}`) });
process.stdout.write(`${JSON.stringify(result)}\n`);
