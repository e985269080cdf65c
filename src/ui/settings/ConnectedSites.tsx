/** Sites holding the eth_accounts permission (and maybe messaging), each with a Revoke button (revokes both). */
import { useEffect, useState } from 'preact/hooks';
import type { SiteGrant } from '../../background/dapp/permissions-store';
import { displayOrigin } from '../approval/site-origin';
import type { UiClient } from '../background-client';
import { ErrorNote } from '../components/ErrorNote';
import { errorMessage } from '../error-message';
import { shortAddress } from '../wallet/AccountRow';

export function ConnectedSites({ client }: { client: UiClient }) {
  const [sites, setSites] = useState<SiteGrant[] | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    client
      .call('listConnectedSites')
      .then(setSites)
      .catch((cause: unknown) => setError(errorMessage(cause)));
  }, [client]);

  async function revoke(origin: string) {
    setError(null);
    try {
      setSites(await client.call('revokeSite', { origin }));
    } catch (cause) {
      setError(errorMessage(cause));
    }
  }

  return (
    <section aria-labelledby="sites-heading">
      <h2 id="sites-heading">Connected sites</h2>
      {sites === null ? null : sites.length === 0 ? (
        <p class="hint">No site is connected.</p>
      ) : (
        <ul class="sites" aria-label="Connected sites">
          {sites.map((site) => (
            <li key={site.origin} class="site">
              <div class="site-text">
                <code>{displayOrigin(site.origin).text}</code>
                <span class="hint">
                  {site.accounts.map(shortAddress).join(', ')}
                  {site.messaging ? ' · messaging' : ''}
                </span>
              </div>
              <button type="button" aria-label={`Revoke ${site.origin}`} onClick={() => revoke(site.origin)}>
                Revoke
              </button>
            </li>
          ))}
        </ul>
      )}
      <ErrorNote message={error} />
    </section>
  );
}
