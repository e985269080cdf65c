/**
 * After importing a phrase, none of its words (nor the derived private key) may
 * be found in any file of the browser profile (CVE-2022-32969 class of bugs), nor
 * in extension storage in plaintext. The phrase is built from words that a control
 * run shows absent from the profile and the bundle, so a hit can only be a leak.
 */
import { rm } from 'node:fs/promises';
import { HDKey } from '@scure/bip32';
import { mnemonicToSeedSync } from '@scure/bip39';
import { bytesToHex } from 'viem';
import { afterAll, describe, expect, it } from 'vitest';
import { findSecrets, mnemonicAvoiding, wordsPresent } from '../support/secret-scan';
import { launchExtension, newProfileDir } from './support/extension-browser';
import { EXTENSION_DIR } from './support/paths';
import { importPhrase, TEST_MNEMONIC, unlock } from './support/popup-flows';

const PASSWORD = 'correct horse battery';

/** The extension page's `chrome`, as far as this test reads it (page.evaluate runs in the page). */
declare const chrome: {
  storage: Record<'local' | 'session', { get(keys: null): Promise<Record<string, unknown>> }>;
};

/** Everything a user does with a phrase in one session, ending with the browser closed. */
async function useWallet(profileDir: string, mnemonic: string) {
  const browser = await launchExtension(profileDir);
  try {
    const page = await browser.openPopup();
    await importPhrase(page, mnemonic, PASSWORD);
    await page.getByRole('button', { name: 'Add account' }).click();
    await browser.stopServiceWorker();
    await page.reload();
    await page.getByRole('list', { name: 'Accounts' }).waitFor();
    await page.getByRole('button', { name: 'Lock' }).click();
    await unlock(page, PASSWORD);
    await page.getByRole('list', { name: 'Accounts' }).waitFor();
    const storage = await page.evaluate(async () => ({
      local: JSON.stringify(await chrome.storage.local.get(null)),
      session: JSON.stringify(await chrome.storage.session.get(null)),
    }));
    return storage;
  } finally {
    await browser.close();
  }
}

describe('secrets on disk', () => {
  const dirs: string[] = [];
  afterAll(async () => {
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });

  it('leaves no word of an imported phrase and no private key in the profile or in storage', async () => {
    const control = await newProfileDir();
    dirs.push(control);
    await useWallet(control, TEST_MNEMONIC);
    const excluded = await wordsPresent([control, EXTENSION_DIR]);

    const mnemonic = mnemonicAvoiding(excluded);
    const words = [...new Set(mnemonic.split(' '))];
    const root = HDKey.fromMasterSeed(mnemonicToSeedSync(mnemonic));
    const keys = [0, 1].map((i) => root.derive(`m/44'/60'/0'/0/${i}`).privateKey!);

    const profile = await newProfileDir();
    dirs.push(profile);
    const storage = await useWallet(profile, mnemonic);

    for (const area of [storage.local, storage.session]) {
      for (const word of words) expect(area).not.toMatch(new RegExp(`\\b${word}\\b`));
      for (const key of keys) expect(area.toLowerCase()).not.toContain(bytesToHex(key).slice(2));
    }
    expect(storage.local).toContain('"vault"');

    const leaks = await findSecrets(
      [profile],
      words,
      keys.flatMap((key, i) => [
        { label: `private key ${i} (bytes)`, bytes: key },
        { label: `private key ${i} (hex)`, bytes: new TextEncoder().encode(bytesToHex(key).slice(2)) },
      ]),
    );
    expect(leaks).toEqual([]);
  });
});
