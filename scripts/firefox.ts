/**
 * Finds Debian's Firefox ESR for the Firefox tests: $FIREFOX_PATH, else a
 * `firefox-esr` or `firefox` binary on the PATH, else (as root on Debian) installs
 * the `firefox-esr` package with apt-get. Never downloads a browser build of its own.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';

const BINARY_NAMES = ['firefox-esr', 'firefox'];

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

function installed(): string | undefined {
  for (const name of BINARY_NAMES) {
    const found = onPath(name) ?? (isExecutable(`/usr/bin/${name}`) ? `/usr/bin/${name}` : undefined);
    if (found) return found;
  }
  return undefined;
}

export class FirefoxNotFoundError extends Error {
  override name = 'FirefoxNotFoundError';
}

/** Absolute path of the Firefox binary. */
export function findFirefox({ install = true, log = (line: string) => console.error(line) } = {}): string {
  const fromEnv = process.env.FIREFOX_PATH;
  if (fromEnv) {
    if (isExecutable(fromEnv)) return fromEnv;
    throw new FirefoxNotFoundError(`FIREFOX_PATH=${fromEnv} is not an executable file`);
  }
  const found = installed();
  if (found) return found;
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (install && isRoot && existsSync('/etc/debian_version')) {
    log("Firefox not found: installing Debian's firefox-esr package (apt-get)…");
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    const update = spawnSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
    const add =
      update.status === 0
        ? spawnSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', 'firefox-esr'], {
            stdio: 'inherit',
            env,
          })
        : update;
    const path = installed();
    if (add.status === 0 && path) return path;
    throw new FirefoxNotFoundError('apt-get could not install firefox-esr; see its output above');
  }
  throw new FirefoxNotFoundError(
    'Firefox not found: install it (Debian/Ubuntu: sudo apt-get install firefox-esr) or set FIREFOX_PATH to its binary.',
  );
}

/** The version line, e.g. "Mozilla Firefox 153.7.0esr". */
export function firefoxVersion(path: string): string {
  return execFileSync(path, ['--version'], { encoding: 'utf8' }).trim();
}

if (import.meta.main) {
  try {
    const path = findFirefox();
    console.log(`${path} (${firefoxVersion(path)})`);
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  }
}
