/**
 * Settings › Messaging: the messaging node and its relay connections (live), desktop
 * notifications, and how long messages wait for a relay to anchor them before the user may.
 */
import { useEffect, useState } from 'preact/hooks';
import type {
  MessagingSettings,
  RelayConnectionState,
  RelayStatus,
} from '../../background/messaging/message-views';
import { MAX_ANCHOR_DEADLINE_MINUTES } from '../../background/ui-api-contract';
import type { UiClient } from '../background-client';
import { ErrorNote } from '../components/ErrorNote';
import { errorMessage } from '../error-message';

const NODE_LABELS: Record<RelayStatus['node'], string> = {
  stopped: 'Stopped',
  starting: 'Starting',
  running: 'Running',
};

const RELAY_LABELS: Record<RelayConnectionState, string> = {
  connected: 'Connected',
  connecting: 'Connecting',
  disconnected: 'Disconnected',
};

export function MessagingSection({ client }: { client: Pick<UiClient, 'call' | 'onRelay'> }) {
  const [relay, setRelay] = useState<RelayStatus | null>(null);
  const [settings, setSettings] = useState<MessagingSettings | null>(null);
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let stopped = false;
    // A status pushed while the first read is in flight is the newer one.
    let pushed = false;
    const fail = (cause: unknown) => {
      if (!stopped) setError(errorMessage(cause));
    };
    client
      .call('getRelayStatus')
      .then((status) => {
        if (!stopped && !pushed) setRelay(status);
      })
      .catch(fail);
    client
      .call('getMessagingSettings')
      .then((loaded) => {
        if (!stopped) setSettings(loaded);
      })
      .catch(fail);
    const unsubscribe = client.onRelay((status) => {
      pushed = true;
      setRelay(status);
    });
    return () => {
      stopped = true;
      unsubscribe();
    };
  }, [client]);

  async function save(changes: Partial<MessagingSettings>) {
    setSaving(true);
    setError(null);
    try {
      setSettings(await client.call('setMessagingSettings', changes));
    } catch (cause) {
      setError(errorMessage(cause));
    } finally {
      setSaving(false);
    }
  }

  return (
    <section aria-labelledby="messaging-heading">
      <h2 id="messaging-heading">Messaging</h2>
      {relay ? (
        <>
          <p class="node-state">
            Messaging node: <strong>{NODE_LABELS[relay.node]}</strong>
          </p>
          {relay.relays.length === 0 ? (
            <p class="hint">No relay configured.</p>
          ) : (
            <ul class="relays" aria-label="Relays">
              {relay.relays.map((entry) => (
                <li key={entry.address} class="relay">
                  <code>{entry.address}</code>
                  <span class={`relay-state ${entry.state}`}>{RELAY_LABELS[entry.state]}</span>
                </li>
              ))}
            </ul>
          )}
        </>
      ) : null}
      <label class="check">
        <input
          type="checkbox"
          checked={settings?.notifications ?? false}
          disabled={settings === null || saving}
          onChange={(e) => void save({ notifications: e.currentTarget.checked })}
        />
        Desktop notifications
      </label>
      <label class="field">
        Offer to anchor my messages myself after (minutes without a relay anchoring them)
        <input
          type="number"
          min={0}
          max={MAX_ANCHOR_DEADLINE_MINUTES}
          step={1}
          value={settings?.anchorDeadlineMinutes ?? ''}
          disabled={settings === null || saving}
          onChange={(e) => {
            const minutes = e.currentTarget.valueAsNumber;
            if (Number.isInteger(minutes)) void save({ anchorDeadlineMinutes: minutes });
            else setError('Enter a whole number of minutes');
          }}
        />
      </label>
      <ErrorNote message={error} />
    </section>
  );
}
