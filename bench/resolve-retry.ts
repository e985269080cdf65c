/**
 * The resolve hook shared by `protocol-loader.ts` and `p2p-loader.ts`: a synchronous
 * `module.registerHooks` resolve hook (Node ≥ 22.15) that resolves each specifier untouched and,
 * only when that fails with module-not-found and `applies` accepts the import, retries it with
 * each suffix in turn (e.g. `.js`, then `/index.js`). Anything else rethrows the first error.
 */
import { registerHooks } from 'node:module';

function isModuleNotFound(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'ERR_MODULE_NOT_FOUND' || code === 'ERR_UNSUPPORTED_DIR_IMPORT';
}

/** Registers the hook; callers guard against registering it twice. */
export function registerSuffixRetryHook(
  applies: (specifier: string, parentURL: string | undefined) => boolean,
  suffixes: readonly string[],
): void {
  registerHooks({
    resolve(specifier, context, nextResolve) {
      try {
        return nextResolve(specifier, context);
      } catch (error) {
        if (!applies(specifier, context.parentURL) || !isModuleNotFound(error)) throw error;
        for (const suffix of suffixes) {
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
