/**
 * The local devnet: a Hardhat 3 node (`hardhat node`, chain 31337) on 127.0.0.1,
 * run as a child process. Hardhat's config, cache and data directories are kept
 * inside the project (`.cache/xdg/…`), so nothing is written to the home directory.
 * Used by the end-to-end tests and by `npm start`.
 *
 * Run alone: `node scripts/devnet.ts [--port 8545]` (Ctrl-C stops it).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

const ROOT_DIR = fileURLToPath(new URL('..', import.meta.url));
const HARDHAT_BIN = `${ROOT_DIR}node_modules/.bin/hardhat`;
const XDG_DIR = `${ROOT_DIR}.cache/xdg`;

export const DEVNET_HOST = '127.0.0.1';
export const DEVNET_PORT = 8545;
export const DEVNET_CHAIN_ID = 31337;

/** Last bytes of the node's output kept for error messages. */
const OUTPUT_TAIL_CHARS = 4000;
const POLL_MS = 100;
/**
 * Preloaded into the node: it exits when its stdin (a pipe from us) ends, which
 * happens when our process dies in any way, even SIGKILL, so no node is left behind.
 */
// unref(): the watch alone must not keep a node alive that failed to start (it would then hang until the timeout).
const EXIT_WITH_PARENT =
  'data:text/javascript,process.stdin.once("end",()=>process.exit(0)).resume();process.stdin.unref?.();';

export class DevnetError extends Error {
  override name = 'DevnetError';
}

export interface StartHardhatNodeParameters {
  /** TCP port on 127.0.0.1; default 8545 (the devnet preset's URL). */
  port?: number;
  /** Aborting stops a node that is still starting (and rejects). */
  signal?: AbortSignal;
  /** How long to wait for `eth_chainId` to answer; default 60 s. */
  timeoutMs?: number;
}

export interface HardhatNode {
  /** `http://127.0.0.1:<port>` */
  url: string;
  /** Milliseconds from spawning the node to its first `eth_chainId` answer. */
  startupMs: number;
  /** Stops the node (SIGTERM, then SIGKILL after 5 s); resolves once the process exited. Idempotent. */
  stop(): Promise<void>;
}

/** Fails with a clear message when something already listens on 127.0.0.1:`port`. */
async function assertPortFree(port: number): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const probe = createServer();
    probe.once('error', (error: NodeJS.ErrnoException) => {
      reject(
        error.code === 'EADDRINUSE'
          ? new DevnetError(
              `Port ${port} on ${DEVNET_HOST} is already in use (another Hardhat node or devnet?). ` +
                `Stop whatever listens there (e.g. \`ss -ltnp 'sport = :${port}'\`) and retry.`,
            )
          : new DevnetError(`Cannot check port ${port} on ${DEVNET_HOST}: ${error.message}`),
      );
    });
    probe.listen({ host: DEVNET_HOST, port, exclusive: true }, () => probe.close(() => resolve()));
  });
}

/** The node's chain id as a number, or undefined while it does not answer yet. */
async function chainIdOf(url: string, signal: AbortSignal): Promise<number | undefined> {
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_chainId', params: [] }),
      signal: AbortSignal.any([signal, AbortSignal.timeout(2000)]),
    });
    const reply: unknown = await response.json();
    if (typeof reply === 'object' && reply !== null && 'result' in reply && typeof reply.result === 'string')
      return Number.parseInt(reply.result, 16);
  } catch {
    // not listening yet
  }
  return undefined;
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

/**
 * Starts `hardhat node --hostname 127.0.0.1 --port <port>` and resolves once it
 * answers `eth_chainId` with 31337.
 * @example
 * const node = await startHardhatNode({ port: 8545 });
 * try { … } finally { await node.stop(); }
 */
export async function startHardhatNode({
  port = DEVNET_PORT,
  signal,
  timeoutMs = 60_000,
}: StartHardhatNodeParameters = {}): Promise<HardhatNode> {
  if (!Number.isInteger(port) || port < 1 || port > 65_535)
    throw new DevnetError(`"port" expected an integer in 1..65535, got ${port}`);
  signal?.throwIfAborted();
  await assertPortFree(port);

  const xdg = {
    XDG_CONFIG_HOME: `${XDG_DIR}/config`,
    XDG_CACHE_HOME: `${XDG_DIR}/cache`,
    XDG_DATA_HOME: `${XDG_DIR}/data`,
  };
  for (const dir of Object.values(xdg)) mkdirSync(dir, { recursive: true });

  const url = `http://${DEVNET_HOST}:${port}`;
  const startedAt = performance.now();
  // process.execPath runs the CLI on the same Node (>= 22) that runs us, whatever `node` is on the PATH.
  const child = spawn(
    process.execPath,
    [`--import=${EXIT_WITH_PARENT}`, HARDHAT_BIN, 'node', '--hostname', DEVNET_HOST, '--port', `${port}`],
    {
      cwd: ROOT_DIR,
      env: { ...process.env, ...xdg, HARDHAT_DISABLE_TELEMETRY: 'true', FORCE_COLOR: '0' },
      stdio: ['pipe', 'pipe', 'pipe'],
    },
  );
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString('utf8')).slice(-OUTPUT_TAIL_CHARS);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const spawnFailed = new Promise<never>((_, reject) => {
    child.once('error', (error) => reject(new DevnetError(`Could not run ${HARDHAT_BIN}: ${error.message}`)));
  });
  spawnFailed.catch(() => {}); // raced below; a later 'error' must not become an unhandled rejection
  // A normal exit of our process without stop(): take the node with us at once.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);

  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      process.removeListener('exit', killOnExit);
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const forceKill = setTimeout(() => child.kill('SIGKILL'), 5000);
        try {
          await exited(child);
        } finally {
          clearTimeout(forceKill);
        }
      }
    })();
    return stopping;
  };

  const controller = new AbortController();
  const deadline = AbortSignal.timeout(timeoutMs);
  const abortWait = AbortSignal.any([controller.signal, deadline, ...(signal ? [signal] : [])]);
  try {
    const ready = (async () => {
      while (!abortWait.aborted) {
        const chainId = await chainIdOf(url, abortWait);
        if (chainId !== undefined) {
          if (chainId !== DEVNET_CHAIN_ID)
            throw new DevnetError(`${url} answered chain id ${chainId}, expected ${DEVNET_CHAIN_ID}`);
          return;
        }
        if (child.exitCode !== null || child.signalCode !== null) break;
        await new Promise((resolve) => setTimeout(resolve, POLL_MS));
      }
      if (signal?.aborted) throw new DevnetError('Starting the Hardhat node was aborted');
      if (deadline.aborted)
        throw new DevnetError(`The Hardhat node did not answer within ${timeoutMs} ms. Output:\n${output}`);
      throw new DevnetError(
        `The Hardhat node exited (${child.exitCode ?? child.signalCode}) before answering. Output:\n${output}`,
      );
    })();
    await Promise.race([ready, spawnFailed]);
  } catch (error) {
    controller.abort();
    await stop();
    throw error;
  }
  controller.abort();
  return { url, startupMs: Math.round(performance.now() - startedAt), stop };
}

if (import.meta.main) {
  const portFlag = process.argv.indexOf('--port');
  const port = portFlag === -1 ? DEVNET_PORT : Number(process.argv[portFlag + 1]);
  const node = await startHardhatNode({ port });
  console.log(`Hardhat devnet (chain ${DEVNET_CHAIN_ID}) at ${node.url}, started in ${node.startupMs} ms`);
  for (const name of ['SIGINT', 'SIGTERM'] as const) {
    process.once(name, () => void node.stop().then(() => process.exit(0)));
  }
}
