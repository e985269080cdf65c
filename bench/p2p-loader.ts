/**
 * Loads the messaging benchmarks' Node side (`p2p-node.ts`, `relay-load.ts`) on plain Node. Besides `@xmtp/proto`'s
 * extensionless imports (see `protocol-loader.ts`), some modules under `src/` import siblings
 * without an extension (`'./connection-gater'`), which bundlers and vitest resolve but Node's ESM
 * resolver refuses. A synchronous resolve hook retries such a relative specifier with `.ts`, then
 * `/index.ts`, only when the importer is a file of this project's `src/`, `test/` or `bench/`;
 * everything else resolves untouched. The modules are then loaded with a dynamic `import()`.
 */
import { registerXmtpResolveHook } from './protocol-loader.ts';
import { registerSuffixRetryHook } from './resolve-retry.ts';

type P2pBenchModule = typeof import('./p2p-node.ts');
type RelayLoadModule = typeof import('./relay-load.ts');

const PROJECT_DIRS = ['src/', 'test/', 'bench/'].map((dir) => new URL(`../${dir}`, import.meta.url).href);

let registered = false;

/** Installs the `@xmtp/*` hook and the project's extensionless-relative-import hook, once. */
export function registerSourceResolveHooks(): void {
  registerXmtpResolveHook();
  if (registered) return;
  registered = true;
  registerSuffixRetryHook(
    (specifier, parentURL) => {
      const parent = parentURL ?? '';
      const fromProject = PROJECT_DIRS.some((dir) => parent.startsWith(dir));
      const relative = specifier.startsWith('./') || specifier.startsWith('../');
      return fromProject && relative;
    },
    ['.ts', '/index.ts'],
  );
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

/** The in-extension anchoring benchmark (it drives the e2e flows), after the resolve hooks. */
export async function importAnchoringExtensionBench(): Promise<typeof import('./anchoring-extension.ts')> {
  registerSourceResolveHooks();
  return import('./anchoring-extension.ts');
}
