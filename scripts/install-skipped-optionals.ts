/**
 * Postinstall: installs the optional dependencies that npm skipped only because of
 * the Node version that ran npm. `npm ci` runs on the machine's Node (20 on a fresh
 * Debian here), and npm leaves out optional packages whose `engines.node` that Node
 * does not meet (Hardhat's EDR binaries want >= 22), although every script of this
 * project runs on Node 24 from the `node` devDependency. Exactly those packages are
 * fetched from the npm registry at their locked version, checked against the
 * lockfile's integrity, and unpacked where npm would have put them. Nothing else.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import semver from 'semver';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

interface LockedPackage {
  version?: string;
  integrity?: string;
  optional?: boolean;
  engines?: { node?: string };
  os?: string[];
  cpu?: string[];
  libc?: string[];
}

/** The Node version that ran npm, from npm's user agent ("npm/11.1.0 node/v20.20.2 linux x64 …"). */
function npmNodeVersion(): string | undefined {
  return /\bnode\/v?(\d+\.\d+\.\d+)/.exec(process.env.npm_config_user_agent ?? '')?.[1];
}

function matchesList(list: string[] | undefined, value: string): boolean {
  if (!list || list.length === 0) return true;
  if (list.includes(`!${value}`)) return false;
  return list.some((item) => !item.startsWith('!')) ? list.includes(value) : true;
}

function currentLibc(): string {
  const header = (process.report?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined)
    ?.header;
  return header?.glibcVersionRuntime ? 'glibc' : 'musl';
}

function fitsThisMachine(entry: LockedPackage): boolean {
  return (
    matchesList(entry.os, process.platform) &&
    matchesList(entry.cpu, process.arch) &&
    (process.platform !== 'linux' || matchesList(entry.libc, currentLibc()))
  );
}

/** Locked optional packages that npm's Node skipped but this Node can run. */
export function skippedOptionals(lock: { packages?: Record<string, LockedPackage> }, npmNode: string) {
  const skipped: { path: string; name: string; version: string; integrity: string }[] = [];
  for (const [path, entry] of Object.entries(lock.packages ?? {})) {
    const range = entry.engines?.node;
    if (!path || !entry.optional || !range || !entry.version || !entry.integrity) continue;
    if (semver.satisfies(npmNode, range) || !semver.satisfies(process.version, range)) continue;
    if (!fitsThisMachine(entry) || existsSync(join(ROOT, path))) continue;
    const name = path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length);
    skipped.push({ path, name, version: entry.version, integrity: entry.integrity });
  }
  return skipped;
}

function install(pkg: { path: string; name: string; version: string; integrity: string }): void {
  const scratch = mkdtempSync(join(tmpdir(), 'cairn-optional-'));
  try {
    const npm = process.env.npm_execpath;
    const [command, args] = npm ? [process.execPath, [npm]] : ['npm', []];
    const pack = spawnSync(
      command,
      [...args, 'pack', `${pkg.name}@${pkg.version}`, '--json', '--pack-destination', scratch],
      {
        cwd: scratch,
        encoding: 'utf8',
      },
    );
    if (pack.status !== 0) throw new Error(`npm pack ${pkg.name}@${pkg.version} failed:\n${pack.stderr}`);
    const [packed] = JSON.parse(pack.stdout) as { filename: string }[];
    if (!packed) throw new Error(`npm pack ${pkg.name}@${pkg.version} printed no file`);
    const file = join(scratch, packed.filename);
    const [algorithm, expected] = pkg.integrity.split('-', 2);
    const actual = createHash(algorithm ?? 'sha512')
      .update(readFileSync(file))
      .digest('base64');
    if (actual !== expected)
      throw new Error(`${pkg.name}@${pkg.version}: integrity does not match package-lock.json`);
    const target = join(ROOT, pkg.path);
    mkdirSync(target, { recursive: true });
    const untar = spawnSync('tar', ['-xzf', file, '-C', target, '--strip-components=1'], {
      encoding: 'utf8',
    });
    if (untar.status !== 0) {
      rmSync(target, { recursive: true, force: true });
      throw new Error(`unpacking ${pkg.name} failed: ${untar.stderr}`);
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

if (import.meta.main) {
  const npmNode = npmNodeVersion();
  if (npmNode) {
    const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8'));
    for (const pkg of skippedOptionals(lock, npmNode)) {
      console.log(
        `npm on Node ${npmNode} skipped ${pkg.name}@${pkg.version} (needs Node ${process.version}): installing it`,
      );
      install(pkg);
    }
  }
}
