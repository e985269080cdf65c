/** Choose the network dapps and transactions use; add or remove your own networks. */
import { useEffect, useState } from 'preact/hooks';
import type { NetworksState } from '../../background/ui-api-contract';
import type { UiClient } from '../background-client';
import { ErrorNote } from '../components/ErrorNote';
import { errorMessage } from '../error-message';

const EMPTY_FORM = { chainId: '', name: '', rpcUrl: '', currencySymbol: 'ETH', blockExplorerUrl: '' };

export function NetworkSettings({ client }: { client: UiClient }) {
  const [state, setState] = useState<NetworksState | null>(null);
  const [form, setForm] = useState(EMPTY_FORM);
  const [adding, setAdding] = useState(false);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    client
      .call('getNetworks')
      .then(setState)
      .catch((cause: unknown) => setError(errorMessage(cause)));
  }, [client]);

  async function run(action: () => Promise<NetworksState>) {
    setError(null);
    try {
      setState(await action());
      return true;
    } catch (cause) {
      setError(errorMessage(cause));
      return false;
    }
  }

  async function add(event: Event) {
    event.preventDefault();
    const ok = await run(() =>
      client.call('addNetwork', {
        chainId: Number(form.chainId),
        name: form.name,
        rpcUrl: form.rpcUrl,
        currencySymbol: form.currencySymbol,
        ...(form.blockExplorerUrl ? { blockExplorerUrl: form.blockExplorerUrl } : {}),
      }),
    );
    if (ok) {
      setForm(EMPTY_FORM);
      setAdding(false);
    }
  }

  const field = (key: keyof typeof EMPTY_FORM, label: string, inputMode?: 'numeric' | 'url') => (
    <label class="field">
      <span>{label}</span>
      <input
        type="text"
        inputMode={inputMode}
        value={form[key]}
        onInput={(e) => setForm({ ...form, [key]: e.currentTarget.value })}
        autocomplete="off"
      />
    </label>
  );

  const selected = state?.networks.find((n) => n.chainId === state.selectedChainId);
  return (
    <section aria-labelledby="network-heading">
      <h2 id="network-heading">Network</h2>
      {state ? (
        <label class="field">
          <span>Selected network</span>
          <select
            value={String(state.selectedChainId)}
            onChange={(e) =>
              run(() => client.call('selectNetwork', { chainId: Number(e.currentTarget.value) }))
            }
          >
            {state.networks.map((network) => (
              <option key={network.chainId} value={String(network.chainId)}>
                {network.name} ({network.chainId})
              </option>
            ))}
          </select>
        </label>
      ) : null}
      {selected ? (
        <p class="hint">
          RPC <code>{selected.rpcUrl}</code>
          {selected.preset ? null : (
            <>
              {' '}
              <button
                type="button"
                class="link"
                onClick={() => run(() => client.call('removeNetwork', { chainId: selected.chainId }))}
              >
                Remove
              </button>
            </>
          )}
        </p>
      ) : null}
      {adding ? (
        <form onSubmit={add} aria-label="Add a network">
          {field('chainId', 'Chain ID', 'numeric')}
          {field('name', 'Network name')}
          {field('rpcUrl', 'RPC URL', 'url')}
          {field('currencySymbol', 'Currency symbol')}
          {field('blockExplorerUrl', 'Block explorer URL (optional)', 'url')}
          <div class="actions row">
            <button type="button" onClick={() => setAdding(false)}>
              Cancel
            </button>
            <button type="submit" class="primary">
              Add network
            </button>
          </div>
        </form>
      ) : (
        <button type="button" onClick={() => setAdding(true)}>
          Add a network
        </button>
      )}
      <ErrorNote message={error} />
    </section>
  );
}
