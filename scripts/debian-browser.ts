/**
 * Finds a browser the tests drive: `$<ENV>` if set, else one of its binary names
 * on the PATH (or in /usr/bin), else, as root on Debian, installs its Debian
 * package with apt-get. Never downloads a browser build of its own.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';

export class BrowserNotFoundError extends Error {
  override name = 'BrowserNotFoundError';
}

export interface DebianBrowser {
  /** Shown in messages, e.g. "Chromium". */
  label: string;
  /** Environment variable that overrides the search, e.g. "CHROMIUM_PATH". */
  envVar: string;
  binaryNames: string[];
  debianPackage: string;
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function installedBinary(names: string[]): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(delimiter).filter(Boolean), '/usr/bin'];
  for (const name of names) {
    for (const dir of dirs) if (isExecutable(join(dir, name))) return join(dir, name);
  }
  return undefined;
}

/** Absolute path of the browser's binary. @throws BrowserNotFoundError with a one-line instruction. */
export function findDebianBrowser(
  browser: DebianBrowser,
  { install = true, log = (line: string) => console.error(line) } = {},
): string {
  const fromEnv = process.env[browser.envVar];
  if (fromEnv) {
    if (isExecutable(fromEnv)) return fromEnv;
    throw new BrowserNotFoundError(`${browser.envVar}=${fromEnv} is not an executable file`);
  }
  const found = installedBinary(browser.binaryNames);
  if (found) return found;
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (install && isRoot && existsSync('/etc/debian_version')) {
    log(`${browser.label} not found: installing Debian's ${browser.debianPackage} package (apt-get)…`);
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    const update = spawnSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
    const add =
      update.status === 0
        ? spawnSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', browser.debianPackage], {
            stdio: 'inherit',
            env,
          })
        : update;
    const path = installedBinary(browser.binaryNames);
    if (add.status === 0 && path) return path;
    throw new BrowserNotFoundError(
      `apt-get could not install ${browser.debianPackage}; see its output above`,
    );
  }
  throw new BrowserNotFoundError(
    `${browser.label} not found: install it (Debian/Ubuntu: sudo apt-get install ${browser.debianPackage}) or set ${browser.envVar} to its binary.`,
  );
}

/** The browser's own version line, e.g. "Chromium 156.0.8078.73 built on Debian…". */
export function browserVersion(path: string): string {
  return execFileSync(path, ['--version'], { encoding: 'utf8' }).trim();
}

/** For `node scripts/<browser>.ts`: print where the browser is, or why not. */
export function printBrowser(find: () => string): void {
  try {
    const path = find();
    console.log(`${path} (${browserVersion(path)})`);
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  }
}
