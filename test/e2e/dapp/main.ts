/**
 * A plain viem dapp with no Cairn-specific code: it finds wallets through EIP-6963
 * (mipd), picks the one with Cairn's rdns, and talks to it through viem's `custom`
 * transport. The tests drive it through `window.cairnDapp` (see api.ts).
 */
import { createStore, type EIP6963ProviderDetail } from 'mipd';
import { type Address, createWalletClient, custom, type EIP1193Provider, type WalletClient } from 'viem';
import type { CairnDappApi, DiscoveryReport, ErrorReport, Outcome, ProviderEvent } from './api';
import { CAIRN_RDNS, DEVNET_CHAIN, MAIL_TYPED_DATA } from './fixtures';

const CONTENT_CHANNEL = 'cairn:content';

function errorReport(error: unknown): ErrorReport {
  const causes: string[] = [];
  let code: number | undefined;
  let data: unknown;
  for (let current = error, depth = 0; current !== undefined && current !== null && depth < 10; depth++) {
    const item = current as { name?: unknown; code?: unknown; data?: unknown; cause?: unknown };
    causes.push(typeof item.name === 'string' ? item.name : typeof current);
    if (code === undefined && typeof item.code === 'number') {
      code = item.code;
      data = item.data;
    }
    current = item.cause;
  }
  const top = error as { name?: unknown; shortMessage?: unknown; message?: unknown };
  return {
    name: typeof top?.name === 'string' ? top.name : typeof error,
    code,
    message: String(top?.shortMessage ?? top?.message ?? error),
    ...(data === undefined ? {} : { data }),
    causes,
  };
}

async function outcome<T>(run: () => Promise<T>): Promise<Outcome<T>> {
  try {
    return { ok: true, value: await run() };
  } catch (error) {
    return { ok: false, error: errorReport(error) };
  }
}

// Everything the bridge posts to this window, recorded from the first moment.
const contentMessages: unknown[] = [];
window.addEventListener('message', (event: MessageEvent) => {
  const data: unknown = event.data;
  if (
    typeof data === 'object' &&
    data !== null &&
    (data as { channel?: unknown }).channel === CONTENT_CHANNEL
  )
    contentMessages.push(structuredClone(data));
});

// The raw announcements, to check what a wallet hands out (mipd keeps the details too).
const announced: EIP6963ProviderDetail[] = [];
window.addEventListener('eip6963:announceProvider', (event) => {
  announced.push((event as CustomEvent<EIP6963ProviderDetail>).detail);
});

const store = createStore();
let cairn: EIP1193Provider | undefined;
let wallet: WalletClient | undefined;
const events: ProviderEvent[] = [];
let burstResults: Outcome<unknown>[] = [];

function provider(): EIP1193Provider {
  if (!cairn) throw new Error('call discover() first');
  return cairn;
}

function walletClient(): WalletClient {
  wallet ??= createWalletClient({ chain: DEVNET_CHAIN, transport: custom(provider()) });
  return wallet;
}

const api: CairnDappApi = {
  async discover(): Promise<DiscoveryReport> {
    window.dispatchEvent(new Event('eip6963:requestProvider'));
    const providers = store.getProviders();
    const found = store.findProvider({ rdns: CAIRN_RDNS });
    if (found && cairn !== found.provider) {
      cairn = found.provider;
      for (const event of ['accountsChanged', 'chainChanged', 'connect', 'disconnect', 'message'] as const) {
        cairn.on(event, (data: unknown) => events.push({ event, data: structuredClone(data) }));
      }
    }
    const ethereum = (window as { ethereum?: unknown }).ethereum;
    return {
      providers: providers.map(({ info }) => ({ ...info })),
      detailFrozen: announced.map((detail) => Object.isFrozen(detail)),
      infoFrozen: announced.map((detail) => Object.isFrozen(detail.info)),
      ethereumIsCairn: found !== undefined && ethereum === found.provider,
    };
  },
  requestAddresses: () => outcome(() => walletClient().requestAddresses()),
  getChainId: () => outcome(() => walletClient().getChainId()),
  signMessage: (address, message) =>
    outcome(() => walletClient().signMessage({ account: address as Address, message })),
  signTypedData: (address) =>
    outcome(() => walletClient().signTypedData({ account: address as Address, ...MAIL_TYPED_DATA })),
  sendTransaction: (from, to, valueWei) =>
    outcome(() =>
      walletClient().sendTransaction({
        account: from as Address,
        chain: DEVNET_CHAIN,
        to: to as Address,
        value: BigInt(valueWei),
      }),
    ),
  request: (method, params) =>
    outcome(() =>
      (provider().request as (args: { method: string; params?: unknown }) => Promise<unknown>)({
        method,
        ...(params === undefined ? {} : { params }),
      }),
    ),
  burst(method, params, count) {
    burstResults = [];
    const results = burstResults;
    for (let i = 0; i < count; i++) {
      void api.request(method, params).then((result) => results.push(result));
    }
  },
  burstResults: () => burstResults,
  events: () => events,
  post: (message) => window.postMessage(message, window.location.origin),
  contentMessages: () => contentMessages,
};

window.cairnDapp = api;
const status = document.getElementById('status');
if (status) status.textContent = 'ready';
