/**
 * Loads the protocol benchmark on plain Node. `@xmtp/proto`'s ESM build (which both Cairn's
 * `src/protocol` and `@xmtp/xmtp-js` import) uses extensionless imports
 * (`export * as content from "./message_contents/content.pb"`,
 * `import _m0 from "protobufjs/minimal"`), which Node's ESM resolver refuses; bundlers and vitest
 * add the extension themselves. A synchronous resolve hook (`module.registerHooks`, Node ≥ 22.15)
 * retries such a specifier with `.js`, then `/index.js`, only when the import is made from inside
 * `node_modules/@xmtp/` and names a file path (relative, or a package subpath); everything else
 * resolves untouched. Modules are linked before any of them runs, so the benchmark itself is
 * loaded with a dynamic `import()` after the hook is in place.
 *
 * `runProtocolBench` runs it in a child Node process pinned to one CPU with `taskset` (when
 * present): xmtp-js decrypts a history with `Promise.all` over WebCrypto jobs, which Node runs on
 * libuv pool threads, so unpinned it would use a second core while Cairn's loop uses one.
 */
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { ProtocolResult } from './protocol-node.ts';
import { registerSuffixRetryHook } from './resolve-retry.ts';

type ProtocolBenchModule = typeof import('./protocol-node.ts');

let registered = false;

/** `./x`, `../x` or a package subpath (`pkg/x`, `@scope/pkg/x`), not a bare package or a URL. */
function namesFilePath(specifier: string): boolean {
  if (specifier.startsWith('./') || specifier.startsWith('../')) return true;
  if (/^[a-z][a-z0-9+.-]*:/i.test(specifier)) return false;
  const parts = specifier.split('/');
  return parts.length > (specifier.startsWith('@') ? 2 : 1);
}

/** Installs the `@xmtp/*` extension-retry resolve hook once per process. */
export function registerXmtpResolveHook(): void {
  if (registered) return;
  registered = true;
  registerSuffixRetryHook(
    (specifier, parentURL) =>
      (parentURL?.includes('/node_modules/@xmtp/') ?? false) && namesFilePath(specifier),
    ['.js', '/index.js'],
  );
}

/** The protocol benchmark module, imported after the resolve hook is registered. */
export async function importProtocolBench(): Promise<ProtocolBenchModule> {
  registerXmtpResolveHook();
  return import('./protocol-node.ts');
}

/** `taskset -c <first allowed CPU>` when taskset works here, else nothing (the note says so). */
function pinToOneCpu(): { prefix: string[]; cpu: string | undefined } {
  const probe = spawnSync('taskset', ['-pc', String(process.pid)], { encoding: 'utf8' });
  const cpu = probe.status === 0 ? /:\s*(\d+)/.exec(probe.stdout)?.[1] : undefined;
  return cpu === undefined ? { prefix: [], cpu } : { prefix: ['taskset', '-c', cpu], cpu };
}

/**
 * Runs the protocol benchmark in a child process on one CPU; its progress lines pass through
 * to stderr. Resolves with its result and the CPU it was pinned to (undefined: not pinned).
 */
export async function runProtocolBench(options: {
  runs: number;
  log?: (line: string) => void;
}): Promise<{ result: ProtocolResult; pinnedCpu: string | undefined }> {
  const { prefix, cpu } = pinToOneCpu();
  options.log?.(
    cpu === undefined ? 'protocol: taskset unavailable, not pinned' : `protocol: pinned to CPU ${cpu}`,
  );
  const child = [process.execPath, fileURLToPath(new URL('./protocol-child.ts', import.meta.url))];
  const argv = [...prefix, ...child, '--runs', String(options.runs)];
  const [command = process.execPath, ...args] = argv;
  const proc = spawn(command, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  let stdout = '';
  proc.stdout.setEncoding('utf8');
  proc.stdout.on('data', (chunk: string) => {
    stdout += chunk;
  });
  const code = await new Promise<number | null>((resolve, reject) => {
    proc.once('error', reject);
    proc.once('close', resolve);
  });
  if (code !== 0) throw new Error(`the protocol benchmark exited with code ${code}`);
  const lastLine = stdout.trim().split('\n').at(-1) ?? '';
  return { result: JSON.parse(lastLine) as ProtocolResult, pinnedCpu: cpu };
}
