/**
 * Popup bundle size: every JS and CSS file `popup.html` loads — `<script src>`,
 * `<link rel="stylesheet">`, `<link rel="modulepreload">`, and the chunks those
 * scripts `import` (static and dynamic) — raw and gzip (node:zlib, level 9).
 * background.js and preact itself are shown for information.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import type { Table } from './table.ts';

/** The popup's JS + CSS must stay within this many gzip bytes (50 KB, 1 KB = 1000 bytes). */
export const POPUP_GZIP_TARGET_BYTES = 50_000;

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
  background: SizedFile;
  preact: SizedFile & { version: string };
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

/** Sizes of everything popup.html loads from `outputDir`, following JS imports transitively. */
export async function measureBundle(outputDir: string): Promise<BundleSizes> {
  const root = pathToFileURL(outputDir.endsWith('/') ? outputDir : `${outputDir}/`);
  // Root-relative ("/chunks/x.js") means the extension root, not the file system root.
  const resolve = (specifier: string, base: URL) =>
    specifier.startsWith('/') ? new URL(`.${specifier}`, root) : new URL(specifier, base);
  const pageUrl = new URL('popup.html', root);
  const html = await readFile(pageUrl, 'utf8');
  const queue = htmlReferences(html).map(({ specifier, via }) => ({ url: resolve(specifier, pageUrl), via }));
  const seen = new Set<string>();
  const popup: SizedFile[] = [];
  while (queue.length > 0) {
    const { url, via } = queue.shift()!;
    if (seen.has(url.href)) continue;
    seen.add(url.href);
    const path = fileURLToPath(url);
    const file = url.pathname.slice(root.pathname.length);
    if (!url.href.startsWith(root.href) || !existsSync(path)) {
      throw new Error(`popup.html loads ${url.pathname} (${via}), which is not in ${outputDir}`);
    }
    popup.push(await sized(path, file, via));
    if (!file.endsWith('.js')) continue;
    const name = file.split('/').pop();
    for (const { specifier, dynamic } of jsReferences(await readFile(path, 'utf8'))) {
      queue.push({ url: resolve(specifier, url), via: `${dynamic ? 'import()' : 'import'} from ${name}` });
    }
  }

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
    background: await sized(fileURLToPath(new URL('background.js', root)), 'background.js', 'manifest'),
    preact: { ...(await sized(fileURLToPath(preactUrl), preactFile, 'reference')), version },
  };
}

function bytes(n: number): string {
  return n.toLocaleString('en-US');
}

export function bundleTable(sizes: BundleSizes): Table {
  const { popup, popupRaw, popupGzip, background, preact } = sizes;
  return {
    title: 'Popup bundle size (.output/chrome-mv3, gzip level 9)',
    columns: [
      { header: 'file' },
      { header: 'loaded by' },
      { header: 'raw bytes', align: 'right' },
      { header: 'gzip bytes', align: 'right' },
    ],
    rows: [
      ...popup.map((file) => [file.file, file.via, bytes(file.raw), bytes(file.gzip)]),
      [
        `popup total (${popup.length} files)`,
        `target ≤ ${bytes(POPUP_GZIP_TARGET_BYTES)} gzip`,
        bytes(popupRaw),
        bytes(popupGzip),
      ],
      [background.file, 'background (info)', bytes(background.raw), bytes(background.gzip)],
      [`preact ${preact.version}: ${preact.file}`, 'reference', bytes(preact.raw), bytes(preact.gzip)],
    ],
    notes: [
      'The popup total sums each file gzipped on its own (as served); preact is inside the popup chunk,',
      'its own row shows the framework share (separately gzipped, so only an estimate).',
    ],
  };
}
