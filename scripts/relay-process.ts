/**
 * Runs the bundled relay daemon as a child process and waits until it listens.
 * Used by `npm start` and the end-to-end tests.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { RELAY_BUNDLE } from './build-relay.ts';

export interface RelayProcess {
  /** `cairn-relay listening …` addresses, with /p2p/<peer id>. */
  addresses: string[];
  output(): string;
  /** SIGTERM, then the exit code once it stopped cleanly. */
  stop(): Promise<number | null>;
}

export async function startRelayDaemon(options: {
  dataDir: string;
  listen: string;
  extraArgs?: string[];
  /** Added to the daemon's environment (e.g. CAIRN_RELAY_ANCHOR_KEY). */
  env?: Record<string, string>;
  /** Also print the daemon's log lines. */
  echo?: boolean;
  timeoutMs?: number;
}): Promise<RelayProcess> {
  const child: ChildProcess = spawn(
    process.execPath,
    [RELAY_BUNDLE, '--listen', options.listen, '--data-dir', options.dataDir, ...(options.extraArgs ?? [])],
    { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...options.env } },
  );
  let output = '';
  const addresses: string[] = [];
  const listening = new Promise<void>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      const text = chunk.toString();
      if (options.echo) process.stdout.write(text);
      output += text;
      for (const match of output.matchAll(/cairn-relay listening (\S+)/g)) {
        if (match[1] && !addresses.includes(match[1])) addresses.push(match[1]);
      }
      if (addresses.length > 0) resolve();
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) =>
      reject(new Error(`the relay exited with ${code} before listening:\n${output}`)),
    );
  });
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    await Promise.race([
      listening,
      new Promise((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`the relay did not start:\n${output}`)),
          options.timeoutMs ?? 20_000,
        );
      }),
    ]);
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  } finally {
    clearTimeout(timer);
  }
  return {
    addresses,
    output: () => output,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) {
          resolve(child.exitCode);
          return;
        }
        child.once('exit', (code) => resolve(code));
        child.kill('SIGTERM');
      }),
  };
}
