import { fileURLToPath } from 'node:url';

export const ROOT_DIR = fileURLToPath(new URL('../../..', import.meta.url));
/** `npm run build:firefox` writes here. */
export const FIREFOX_EXTENSION_DIR = fileURLToPath(new URL('../../../.output/firefox-mv3', import.meta.url));
