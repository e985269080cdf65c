/**
 * The test dapp (test/e2e/dapp): built once with Vite's JS API into `.cache/e2e-dapp/<hash>`
 * (rebuilt when its sources or the viem/mipd versions change) and served by a tiny
 * static server on 127.0.0.1. Each server is its own origin (its own port).
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readdir, readFile, rename, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize } from 'node:path';
import { build } from 'vite';
import { ROOT_DIR } from './paths.ts';

const DAPP_DIR = join(ROOT_DIR, 'test/e2e/dapp');
const CACHE_DIR = join(ROOT_DIR, '.cache/e2e-dapp');

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json',
};

async function sourceHash(): Promise<string> {
  const hash = createHash('sha256');
  for (const name of (await readdir(DAPP_DIR)).sort()) {
    hash.update(name).update(await readFile(join(DAPP_DIR, name)));
  }
  for (const dependency of ['viem', 'mipd', 'vite']) {
    hash.update(await readFile(join(ROOT_DIR, 'node_modules', dependency, 'package.json')));
  }
  return hash.digest('hex').slice(0, 16);
}

/** Builds the dapp unless an up-to-date build exists; returns its directory. */
export async function buildTestDapp(): Promise<string> {
  const outDir = join(CACHE_DIR, await sourceHash());
  if (existsSync(join(outDir, 'index.html'))) return outDir;
  const staging = `${outDir}.${process.pid}.tmp`;
  await build({
    root: DAPP_DIR,
    configFile: false,
    logLevel: 'warn',
    base: './',
    build: {
      outDir: staging,
      emptyOutDir: true,
      target: 'es2022',
      minify: false,
      reportCompressedSize: false,
    },
  });
  await rm(outDir, { recursive: true, force: true });
  await rename(staging, outDir);
  // Builds of older sources are never used again.
  for (const name of await readdir(CACHE_DIR)) {
    if (join(CACHE_DIR, name) !== outDir) await rm(join(CACHE_DIR, name), { recursive: true, force: true });
  }
  return outDir;
}

export interface DappServer {
  /** `http://127.0.0.1:<port>` */
  origin: string;
  url: string;
  close(): Promise<void>;
}

/** Serves `dir` on 127.0.0.1 at a free port. */
export async function serveDirectory(dir: string): Promise<DappServer> {
  const server = createServer(async (request, response) => {
    const path = normalize(decodeURIComponent(new URL(request.url ?? '/', 'http://x').pathname));
    const file = join(dir, path.endsWith('/') ? `${path}index.html` : path);
    if (!file.startsWith(dir) || request.method !== 'GET') {
      response.writeHead(404).end();
      return;
    }
    try {
      const body = await readFile(file);
      response
        .writeHead(200, {
          'content-type': CONTENT_TYPES[extname(file)] ?? 'application/octet-stream',
          'cache-control': 'no-store',
        })
        .end(body);
    } catch {
      response.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: '127.0.0.1', port: 0 }, resolve);
  });
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    url: `${origin}/`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
