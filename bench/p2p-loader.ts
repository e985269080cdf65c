/**
 * Loads the messaging benchmarks' Node side (`p2p-node.ts`, `relay-load.ts`) on plain Node. Besides `@xmtp/proto`'s
 * extensionless imports (see `protocol-loader.ts`), some modules under `src/` import siblings
 * without an extension (`'./connection-gater'`), which bundlers and vitest resolve but Node's ESM
 * resolver refuses. A synchronous resolve hook retries such a relative specifier with `.ts`, then
 * `/index.ts`, only when the importer is a file of this project's `src/`, `test/` or `bench/`;
 * everything else resolves untouched. The modules are then loaded with a dynamic `import()`.
 */
import { registerHooks } from 'node:module';
import { registerXmtpResolveHook } from './protocol-loader.ts';

type P2pBenchModule = typeof import('./p2p-node.ts');
type RelayLoadModule = typeof import('./relay-load.ts');

const PROJECT_DIRS = ['src/', 'test/', 'bench/'].map((dir) => new URL(`../${dir}`, import.meta.url).href);

let registered = false;

function isModuleNotFound(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'ERR_MODULE_NOT_FOUND' || code === 'ERR_UNSUPPORTED_DIR_IMPORT';
}

/** Installs the `@xmtp/*` hook and the project's extensionless-relative-import hook, once. */
export function registerSourceResolveHooks(): void {
  registerXmtpResolveHook();
  if (registered) return;
  registered = true;
  registerHooks({
    resolve(specifier, context, nextResolve) {
      try {
        return nextResolve(specifier, context);
      } catch (error) {
        const parent = context.parentURL ?? '';
        const fromProject = PROJECT_DIRS.some((dir) => parent.startsWith(dir));
        const relative = specifier.startsWith('./') || specifier.startsWith('../');
        if (!fromProject || !relative || !isModuleNotFound(error)) throw error;
        for (const suffix of ['.ts', '/index.ts']) {
          try {
            return nextResolve(`${specifier}${suffix}`, context);
          } catch (retryError) {
            if (!isModuleNotFound(retryError)) throw retryError;
          }
        }
        throw error;
      }
    },
  });
}

/** The Node-side messaging benchmark module, imported after the resolve hooks are registered. */
export async function importP2pBench(): Promise<P2pBenchModule> {
  registerSourceResolveHooks();
  return import('./p2p-node.ts');
}

/** The relay throughput load module, imported after the resolve hooks are registered. */
export async function importRelayLoad(): Promise<RelayLoadModule> {
  registerSourceResolveHooks();
  return import('./relay-load.ts');
}
