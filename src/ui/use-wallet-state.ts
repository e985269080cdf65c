/** The wallet state as the background reports it, kept fresh by pushed events. */
import { useCallback, useEffect, useState } from 'preact/hooks';
import type { WalletState } from '../background/ui-api-contract';
import type { UiClient } from './background-client';

export function useWalletState(client: UiClient) {
  const [state, setState] = useState<WalletState | null>(null);
  const [error, setError] = useState<string | null>(null);

  const refresh = useCallback(() => {
    client
      .call('getState')
      .then((next) => {
        setState(next);
        setError(null);
      })
      .catch((cause: unknown) => setError(cause instanceof Error ? cause.message : String(cause)));
  }, [client]);

  useEffect(() => {
    refresh();
    return client.onState(setState);
  }, [client, refresh]);

  return { state, setState, error, refresh };
}
