/**
 * What the built extension must look like for MV3 service workers and pages:
 * no dynamic import() in the worker (it cannot load code at run time), manifest
 * entries for every entrypoint, and no secrets or dev URLs baked in.
 */
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { EXTENSION_DIR } from './support/paths.ts';

describe('built chrome-mv3 extension', () => {
  it('ships a background worker without dynamic imports', async () => {
    const background = await readFile(`${EXTENSION_DIR}/background.js`, 'utf8');
    expect(background).not.toMatch(/\bimport\s*\(/);
  });

  it('declares the provider scripts, the approval page and only the permissions it uses', async () => {
    const manifest = JSON.parse(await readFile(`${EXTENSION_DIR}/manifest.json`, 'utf8'));
    expect(manifest.manifest_version).toBe(3);
    expect([...manifest.permissions].sort()).toEqual(['alarms', 'notifications', 'storage']);
    const scripts = manifest.content_scripts.map((s: { js: string[]; world?: string; run_at: string }) => ({
      js: s.js,
      world: s.world ?? 'ISOLATED',
      runAt: s.run_at,
    }));
    expect(scripts).toContainEqual({
      js: ['content-scripts/inpage.js'],
      world: 'MAIN',
      runAt: 'document_start',
    });
    expect(scripts).toContainEqual({
      js: ['content-scripts/bridge.js'],
      world: 'ISOLATED',
      runAt: 'document_start',
    });
    await expect(readFile(`${EXTENSION_DIR}/approval.html`, 'utf8')).resolves.toContain('<div id="app">');
    // No page may embed extension pages: nothing is web-accessible.
    expect(manifest.web_accessible_resources ?? []).toEqual([]);
  });
});
