/**
 * `npm start`: the local network and the extension, ready to use. Starts the Hardhat
 * devnet (chain 31337 on http://127.0.0.1:8545, the wallet's default network) and deploys the
 * Anchor and KeyRegistry contracts on it (always at the same addresses), starts a relay daemon
 * (ws://127.0.0.1:9090, the extension's default relay), builds the extension, then launches
 * Chromium with it loaded when a display exists; without a display it prints where the unpacked
 * build is and how to load it. Runs until Ctrl-C, which stops everything it started.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { DEVNET_CONTRACTS } from '../src/chain/anchoring-contracts.ts';
import { buildRelay } from './build-relay.ts';
import { ChromiumNotFoundError, findChromium } from './chromium.ts';
import { DEVNET_DEPLOYER_KEY, deployAnchoringContracts, devnetAggregatorKey } from './deploy-contracts.ts';
import { startHardhatNode } from './devnet.ts';
import { startRelayDaemon } from './relay-process.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const extensionDir = `${root}.output/chrome-mv3`;
const profileDir = `${root}.profiles/dev`;

/** Chrome derives an unpacked extension's id from its absolute path: sha256, first 16 bytes, hex digits 0-f → a-p. */
function unpackedExtensionId(path: string): string {
  const hex = createHash('sha256').update(path).digest('hex').slice(0, 32);
  return [...hex].map((digit) => String.fromCharCode(97 + Number.parseInt(digit, 16))).join('');
}

const build = spawnSync('npm', ['run', '-s', 'build'], { stdio: 'inherit', cwd: root });
if (build.status !== 0) process.exit(build.status ?? 1);

const devnet = await startHardhatNode();
console.log(`\nDevnet: Hardhat, chain 31337, at ${devnet.url} (started in ${devnet.startupMs} ms).`);
console.log(
  'Funded test accounts come from the phrase "test test test test test test test test test test test junk".',
);
const contracts = await deployAnchoringContracts({ rpcUrl: devnet.url, privateKey: DEVNET_DEPLOYER_KEY });
if (contracts.anchor !== DEVNET_CONTRACTS.anchor || contracts.keyRegistry !== DEVNET_CONTRACTS.keyRegistry) {
  console.error('The devnet was not fresh: the contracts are not at their usual addresses.');
  await devnet.stop();
  process.exit(1);
}
console.log(`Contracts: Anchor ${contracts.anchor}, KeyRegistry ${contracts.keyRegistry}.`);

await buildRelay();
// The relay anchors message batches on the devnet with the dev phrase's last account.
const relay = await startRelayDaemon({
  dataDir: `${root}.cairn-relay`,
  listen: '/ip4/127.0.0.1/tcp/9090/ws',
  extraArgs: [
    '--anchor-rpc',
    devnet.url,
    '--anchor-contract',
    contracts.anchor,
    '--anchor-confirmations',
    '1',
  ],
  env: { CAIRN_RELAY_ANCHOR_KEY: devnetAggregatorKey() },
});
console.log(
  `Relay: ${relay.addresses.join(', ')} (data in .cairn-relay; npm run relay -- --help for options).`,
);

let browser: ReturnType<typeof spawn> | undefined;
async function shutdown(code: number): Promise<never> {
  browser?.kill('SIGTERM');
  await relay.stop();
  await devnet.stop();
  process.exit(code);
}
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void shutdown(0));

const popupUrl = `chrome-extension://${unpackedExtensionId(extensionDir)}/popup.html`;
const hasDisplay = Boolean(process.env.DISPLAY || process.env.WAYLAND_DISPLAY);
const howToLoad = [
  `Unpacked extension: ${extensionDir}`,
  'Load it in Chrome/Chromium: open chrome://extensions, turn on "Developer mode", "Load unpacked", pick that folder.',
  'Firefox: npm run build:firefox, then about:debugging → "This Firefox" → "Load Temporary Add-on" → .output/firefox-mv3/manifest.json.',
  'Press Ctrl-C to stop the devnet and the relay.',
];

let chromium: string | undefined;
if (hasDisplay) {
  try {
    chromium = findChromium({ install: false });
  } catch (error) {
    if (!(error instanceof ChromiumNotFoundError)) throw error;
    console.log(`\n${error.message}`);
  }
} else {
  console.log('\nNo display found, so no browser is started.');
}

if (!chromium) {
  console.log(howToLoad.join('\n'));
} else {
  mkdirSync(profileDir, { recursive: true });
  console.log(
    `\nStarting ${chromium} with Cairn loaded (profile ${profileDir}); the wallet opens at ${popupUrl}`,
  );
  console.log('Close the browser or press Ctrl-C to stop the devnet and the relay.');
  browser = spawn(
    chromium,
    [
      `--user-data-dir=${profileDir}`,
      `--disable-extensions-except=${extensionDir}`,
      `--load-extension=${extensionDir}`,
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      // Chromium refuses to run as root with its sandbox on.
      ...(process.getuid?.() === 0 ? ['--no-sandbox'] : []),
      popupUrl,
    ],
    { stdio: 'inherit' },
  );
  browser.on('exit', (code) => void shutdown(code ?? 0));
}
