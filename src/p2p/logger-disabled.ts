/**
 * Stands in for `@libp2p/logger` and Helia's `birnam` (the same API) in the extension build (see
 * wxt.config.ts). Its debug-style
 * loggers are switched on through `localStorage.debug`, which a service worker does not have, so
 * in the extension they are always off; silent loggers keep `weald` (the `debug` clone) and its
 * formatters out of the background bundle (~4 KB gzip).
 */
import type { ComponentLogger, Logger } from '@libp2p/interface';

function silent(namespace: string): Logger {
  const log = Object.assign(() => {}, {
    enabled: false,
    namespace,
    error: Object.assign(() => {}, { enabled: false }),
    trace: Object.assign(() => {}, { enabled: false }),
    newScope: (scope: string) => silent(`${namespace}:${scope}`),
  });
  return log as unknown as Logger;
}

export function logger(name: string): Logger {
  return silent(name);
}

export function prefixLogger(prefix: string): ComponentLogger {
  return { forComponent: (name: string) => silent(`${prefix}:${name}`) };
}

export function peerLogger(): ComponentLogger {
  return prefixLogger('peer');
}

export function defaultLogger(): ComponentLogger {
  return { forComponent: (name: string) => silent(name) };
}

export function enable(): void {}

export function disable(): void {}

export function enabled(): boolean {
  return false;
}
