/**
 * Bundle sizes, raw and gzip (node:zlib, level 9), each file gzipped on its own as served:
 *   - popup: every JS and CSS file `popup.html` loads — `<script src>`, `<link rel="stylesheet">`,
 *     `<link rel="modulepreload">`, and the chunks those scripts `import` (static and dynamic);
 *     preact itself for reference;
 *   - background: `background.js` and the chunks it statically imports (an MV3 worker cannot
 *     `import()`), next to a reference bundle of just Helia light + libp2p — the modules
 *     src/p2p/cairn-node.ts wires, nothing of Cairn's — built with esbuild (minified ESM for the
 *     browser, `@libp2p/config` aliased out as the extension build does).
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import type { Table } from './table.ts';

/** The popup's JS + CSS must stay within this many gzip bytes (50 KB, 1 KB = 1000 bytes). */
export const POPUP_GZIP_TARGET_BYTES = 50_000;
/** background.js and its chunks must stay within this many gzip bytes (300 KB). */
export const BACKGROUND_GZIP_TARGET_BYTES = 300_000;

/** The reference: Helia light + libp2p exactly as src/p2p/cairn-node.ts composes them. */
const HELIA_REFERENCE_ENTRY = `
import { withBitswap } from '@helia/bitswap';
import { withLibp2pLight } from '@helia/libp2p';
import { gossipsub } from '@libp2p/gossipsub';
import { identify } from '@libp2p/identify';
import { noise } from '@libp2p/noise';
import { webSockets } from '@libp2p/websockets';
import { yamux } from '@libp2p/yamux';
import { multiaddr } from '@multiformats/multiaddr';
import { createHeliaLight } from 'helia';
export async function start({ datastore, blockstore, privateKey, relay }) {
  const helia = createHeliaLight({ datastore, blockstore, holdGcLock: true });
  const node = withBitswap(withLibp2pLight(helia, {
    privateKey,
    addresses: { listen: [] },
    transports: [webSockets()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    services: { identify: identify(), pubsub: gossipsub() },
  }));
  await node.start();
  await node.libp2p.dial(multiaddr(relay));
  return node;
}
`;

export interface SizedFile {
  /** Path inside the output directory, e.g. `chunks/popup-….js`. */
  file: string;
  /** How it is reached: `script src`, `link modulepreload`, `link stylesheet`, `import from <file>`, … */
  via: string;
  raw: number;
  gzip: number;
}

export interface BundleSizes {
  popup: SizedFile[];
  popupRaw: number;
  popupGzip: number;
  /** background.js, then the chunks it imports. */
  background: SizedFile[];
  backgroundRaw: number;
  backgroundGzip: number;
  preact: SizedFile & { version: string };
}

export interface HeliaReference {
  raw: number;
  gzip: number;
  versions: Record<string, string>;
}

function gzipSize(bytes: Uint8Array): number {
  return gzipSync(bytes, { level: 9 }).length;
}

async function sized(path: string, file: string, via: string): Promise<SizedFile> {
  const bytes = await readFile(path);
  return { file, via, raw: bytes.length, gzip: gzipSize(bytes) };
}

/** The value of `name="…"` (or '…', or unquoted) in one HTML tag. */
function attribute(tag: string, name: string): string | undefined {
  const match = new RegExp(`\\s${name}\\s*=\\s*(?:"([^"]*)"|'([^']*)'|([^\\s>]+))`, 'i').exec(tag);
  return match ? (match[1] ?? match[2] ?? match[3]) : undefined;
}

/** The files an HTML page loads, with how each is loaded. */
function htmlReferences(html: string): { specifier: string; via: string }[] {
  const found: { specifier: string; via: string }[] = [];
  for (const [tag] of html.matchAll(/<script\b[^>]*>/gi)) {
    const src = attribute(tag, 'src');
    if (src) found.push({ specifier: src, via: 'script src' });
  }
  for (const [tag] of html.matchAll(/<link\b[^>]*>/gi)) {
    const rel = attribute(tag, 'rel')?.toLowerCase();
    const href = attribute(tag, 'href');
    if (href && (rel === 'stylesheet' || rel === 'modulepreload'))
      found.push({ specifier: href, via: `link ${rel}` });
  }
  return found;
}

/** Relative module specifiers in built JS: `import … from "x"`, `import "x"`, `export … from "x"`, `import("x")`. */
function jsReferences(code: string): { specifier: string; dynamic: boolean }[] {
  const quoted = '(["\'`])(\\.{0,2}/[^"\'`]+?)\\1';
  const found: { specifier: string; dynamic: boolean }[] = [];
  const staticImport = new RegExp(`\\b(?:import|export)\\s*(?:[\\w$*{}\\s,]*?\\bfrom\\s*)?${quoted}`, 'g');
  for (const match of code.matchAll(staticImport)) found.push({ specifier: match[2] ?? '', dynamic: false });
  for (const match of code.matchAll(new RegExp(`\\bimport\\s*\\(\\s*${quoted}\\s*\\)`, 'g'))) {
    found.push({ specifier: match[2] ?? '', dynamic: true });
  }
  return found;
}

/**
 * Sizes `start` and every file reachable from it inside `root`, breadth first: HTML references,
 * then the imports of each JS file (dynamic ones only when `followDynamic`).
 */
async function reachable(
  root: URL,
  start: { url: URL; via: string }[],
  { followDynamic, origin }: { followDynamic: boolean; origin: string },
): Promise<SizedFile[]> {
  // Root-relative ("/chunks/x.js") means the extension root, not the file system root.
  const resolve = (specifier: string, base: URL) =>
    specifier.startsWith('/') ? new URL(`.${specifier}`, root) : new URL(specifier, base);
  const queue = [...start];
  const seen = new Set<string>();
  const files: SizedFile[] = [];
  while (queue.length > 0) {
    const { url, via } = queue.shift()!;
    if (seen.has(url.href)) continue;
    seen.add(url.href);
    const path = fileURLToPath(url);
    const file = url.pathname.slice(root.pathname.length);
    if (!url.href.startsWith(root.href) || !existsSync(path)) {
      throw new Error(`${origin} loads ${url.pathname} (${via}), which is not in ${fileURLToPath(root)}`);
    }
    files.push(await sized(path, file, via));
    if (!file.endsWith('.js')) continue;
    const name = file.split('/').pop();
    for (const { specifier, dynamic } of jsReferences(await readFile(path, 'utf8'))) {
      if (dynamic && !followDynamic) continue;
      queue.push({ url: resolve(specifier, url), via: `${dynamic ? 'import()' : 'import'} from ${name}` });
    }
  }
  return files;
}

/** Sizes of everything popup.html loads and of background.js with its chunks, from `outputDir`. */
export async function measureBundle(outputDir: string): Promise<BundleSizes> {
  const root = pathToFileURL(outputDir.endsWith('/') ? outputDir : `${outputDir}/`);
  const pageUrl = new URL('popup.html', root);
  const html = await readFile(pageUrl, 'utf8');
  const popup = await reachable(
    root,
    htmlReferences(html).map(({ specifier, via }) => ({
      url: specifier.startsWith('/') ? new URL(`.${specifier}`, root) : new URL(specifier, pageUrl),
      via,
    })),
    { followDynamic: true, origin: 'popup.html' },
  );
  const background = await reachable(root, [{ url: new URL('background.js', root), via: 'manifest' }], {
    followDynamic: false,
    origin: 'background.js',
  });

  const preactUrl = new URL(import.meta.resolve('preact'));
  const preactPackage: unknown = JSON.parse(await readFile(new URL('../package.json', preactUrl), 'utf8'));
  const version =
    typeof preactPackage === 'object' &&
    preactPackage !== null &&
    'version' in preactPackage &&
    typeof preactPackage.version === 'string'
      ? preactPackage.version
      : '?';
  const preactFile = preactUrl.pathname.slice(preactUrl.pathname.lastIndexOf('/node_modules/') + 1);

  return {
    popup,
    popupRaw: popup.reduce((sum, file) => sum + file.raw, 0),
    popupGzip: popup.reduce((sum, file) => sum + file.gzip, 0),
    background,
    backgroundRaw: background.reduce((sum, file) => sum + file.raw, 0),
    backgroundGzip: background.reduce((sum, file) => sum + file.gzip, 0),
    preact: { ...(await sized(fileURLToPath(preactUrl), preactFile, 'reference')), version },
  };
}

async function packageVersion(name: string): Promise<string> {
  // The package's own package.json, found from its resolved entry point.
  let url = new URL('.', import.meta.resolve(name));
  for (let depth = 0; depth < 6; depth++) {
    const text = await readFile(new URL('package.json', url), 'utf8').catch(() => undefined);
    const parsed: unknown = text === undefined ? undefined : JSON.parse(text);
    if (typeof parsed === 'object' && parsed !== null && 'name' in parsed && parsed.name === name) {
      return 'version' in parsed && typeof parsed.version === 'string' ? parsed.version : '?';
    }
    url = new URL('..', url);
  }
  return '?';
}

/** Builds the Helia light + libp2p reference bundle in memory and sizes it. */
export async function measureHeliaReference(): Promise<HeliaReference> {
  const root = fileURLToPath(new URL('..', import.meta.url));
  const result = await build({
    stdin: {
      contents: HELIA_REFERENCE_ENTRY,
      resolveDir: root,
      loader: 'js',
      sourcefile: 'helia-reference.js',
    },
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    write: false,
    logLevel: 'warning',
    legalComments: 'none',
    alias: {
      '@libp2p/config': fileURLToPath(new URL('../src/p2p/self-key-unavailable.ts', import.meta.url)),
    },
  });
  const [output] = result.outputFiles;
  if (!output) throw new Error('esbuild produced no output');
  const versions: Record<string, string> = {};
  for (const name of ['helia', 'libp2p', '@libp2p/gossipsub']) versions[name] = await packageVersion(name);
  return { raw: output.contents.length, gzip: gzipSize(output.contents), versions };
}

function bytes(n: number): string {
  return n.toLocaleString('en-US');
}

/**
 * One chunk-size table: a row per file, a total row against its gzip target, then one reference
 * row (`[label, raw, gzip]`, shown as loaded by 'reference').
 */
function sizeTable(options: {
  title: string;
  part: string;
  files: SizedFile[];
  raw: number;
  gzip: number;
  targetGzip: number;
  reference: [label: string, raw: number, gzip: number];
  notes: string[];
}): Table {
  const { files, reference } = options;
  return {
    title: options.title,
    columns: [
      { header: 'file' },
      { header: 'loaded by' },
      { header: 'raw bytes', align: 'right' },
      { header: 'gzip bytes', align: 'right' },
    ],
    rows: [
      ...files.map((file) => [file.file, file.via, bytes(file.raw), bytes(file.gzip)]),
      [
        `${options.part} total (${files.length} files)`,
        `target ≤ ${bytes(options.targetGzip)} gzip`,
        bytes(options.raw),
        bytes(options.gzip),
      ],
      [reference[0], 'reference', bytes(reference[1]), bytes(reference[2])],
    ],
    notes: options.notes,
  };
}

export function bundleTable(sizes: BundleSizes): Table {
  const { popup, popupRaw, popupGzip, preact } = sizes;
  return sizeTable({
    title: 'Popup bundle size (.output/chrome-mv3, gzip level 9)',
    part: 'popup',
    files: popup,
    raw: popupRaw,
    gzip: popupGzip,
    targetGzip: POPUP_GZIP_TARGET_BYTES,
    reference: [`preact ${preact.version}: ${preact.file}`, preact.raw, preact.gzip],
    notes: [
      'The popup total sums each file gzipped on its own (as served); preact is inside the popup chunk,',
      'its own row shows the framework share (separately gzipped, so only an estimate).',
    ],
  });
}

export function backgroundTable(sizes: BundleSizes, reference: HeliaReference): Table {
  const { background, backgroundRaw, backgroundGzip } = sizes;
  const versions = Object.entries(reference.versions)
    .map(([name, version]) => `${name} ${version}`)
    .join(', ');
  return sizeTable({
    title: 'Background bundle size (.output/chrome-mv3, gzip level 9)',
    part: 'background',
    files: background,
    raw: backgroundRaw,
    gzip: backgroundGzip,
    targetGzip: BACKGROUND_GZIP_TARGET_BYTES,
    reference: ['Helia light + libp2p alone (esbuild, minified)', reference.raw, reference.gzip],
    notes: [
      `The reference bundles only what src/p2p/cairn-node.ts wires (${versions}: createHeliaLight, withLibp2pLight,`,
      'withBitswap, WebSockets, noise, yamux, identify, gossipsub), with @libp2p/config aliased out as in the',
      'extension build; the background adds the wallet, viem, the XMTP protocol, IndexedDB stores and the messenger.',
    ],
  });
}
