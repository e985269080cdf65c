/**
 * Finds Debian's Chromium for tests and `npm start`: $CHROMIUM_PATH, else a
 * `chromium` binary on the PATH, else (as root on Debian) installs the `chromium`
 * package with apt-get. Never downloads a browser build of its own.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function onPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir && isExecutable(join(dir, name))) return join(dir, name);
  }
  return undefined;
}

export class ChromiumNotFoundError extends Error {
  override name = 'ChromiumNotFoundError';
}

/** Absolute path of the Chromium binary. */
export function findChromium({ install = true, log = (line: string) => console.error(line) } = {}): string {
  const fromEnv = process.env.CHROMIUM_PATH;
  if (fromEnv) {
    if (isExecutable(fromEnv)) return fromEnv;
    throw new ChromiumNotFoundError(`CHROMIUM_PATH=${fromEnv} is not an executable file`);
  }
  const found = onPath('chromium') ?? (isExecutable('/usr/bin/chromium') ? '/usr/bin/chromium' : undefined);
  if (found) return found;
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (install && isRoot && existsSync('/etc/debian_version')) {
    log("Chromium not found: installing Debian's chromium package (apt-get)…");
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    const update = spawnSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
    const add =
      update.status === 0
        ? spawnSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', 'chromium'], {
            stdio: 'inherit',
            env,
          })
        : update;
    if (add.status === 0 && isExecutable('/usr/bin/chromium')) return '/usr/bin/chromium';
    throw new ChromiumNotFoundError('apt-get could not install chromium; see its output above');
  }
  throw new ChromiumNotFoundError(
    'Chromium not found: install it (Debian/Ubuntu: sudo apt-get install chromium) or set CHROMIUM_PATH to its binary.',
  );
}

/** The version line, e.g. "Chromium 156.0.8078.73 built on Debian…". */
export function chromiumVersion(path: string): string {
  return execFileSync(path, ['--version'], { encoding: 'utf8' }).trim();
}

if (import.meta.main) {
  try {
    const path = findChromium();
    console.log(`${path} (${chromiumVersion(path)})`);
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  }
}
