/**
 * Child process of the relay throughput benchmark: the reference relay, a Cairn relay node
 * (`createCairnNode({ role: 'relay' })`) subscribed to every shard that only forwards gossip
 * (no validation, no store, no store protocol). Prints `bare-relay listening <multiaddr>` per
 * address on stdout; stops on SIGTERM.
 *
 * Usage: node bench/bare-relay-child.ts --listen /ip4/127.0.0.1/tcp/0/ws
 */
import { parseArgs } from 'node:util';
import { importP2pBench } from './p2p-loader.ts';

const { values } = parseArgs({ options: { listen: { type: 'string' } }, strict: true });
if (!values.listen) throw new RangeError('"--listen" expected a multiaddr');
const { startBareRelay } = await importP2pBench();
const node = await startBareRelay(values.listen);
for (const address of node.libp2p.getMultiaddrs()) process.stdout.write(`bare-relay listening ${address}\n`);
process.once('SIGTERM', () => {
  node.stop().then(
    () => process.exit(0),
    () => process.exit(1),
  );
});
