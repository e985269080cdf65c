/** The user's messaging settings, kept in the extension's local store. */
import type { KeyValueStore } from '../../keyring/key-value-store';
import type { MessagingSettings } from './message-views';

const SETTINGS_KEY = 'settings.messaging';

/** The stored settings; defaults (notifications on) for anything missing or malformed. */
export async function readMessagingSettings(store: KeyValueStore): Promise<MessagingSettings> {
  const stored = await store.get(SETTINGS_KEY);
  if (
    typeof stored === 'object' &&
    stored !== null &&
    'notifications' in stored &&
    typeof stored.notifications === 'boolean'
  ) {
    return { notifications: stored.notifications };
  }
  return { notifications: true };
}

export async function writeMessagingSettings(
  store: KeyValueStore,
  settings: MessagingSettings,
): Promise<void> {
  await store.set(SETTINGS_KEY, { notifications: settings.notifications });
}
