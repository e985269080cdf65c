/** The user's messaging settings, kept in the extension's local store. */
import * as v from 'valibot';
import type { KeyValueStore } from '../../keyring/key-value-store';
import { MAX_ANCHOR_DEADLINE_MINUTES } from '../ui-api-contract';
import type { MessagingSettings } from './message-views';

const SETTINGS_KEY = 'settings.messaging';

/** Relays cut a batch every 30 s by default; ten minutes leaves room for confirmations. */
export const DEFAULT_ANCHOR_DEADLINE_MINUTES = 10;

export const anchorDeadlineSchema = v.pipe(
  v.number('"anchorDeadlineMinutes" must be a number'),
  v.integer('"anchorDeadlineMinutes" must be a whole number'),
  v.minValue(0, '"anchorDeadlineMinutes" must be at least 0'),
  v.maxValue(
    MAX_ANCHOR_DEADLINE_MINUTES,
    `"anchorDeadlineMinutes" must be at most ${MAX_ANCHOR_DEADLINE_MINUTES}`,
  ),
);

const DEFAULTS: MessagingSettings = {
  notifications: true,
  anchorDeadlineMinutes: DEFAULT_ANCHOR_DEADLINE_MINUTES,
};

/** The stored settings; the default for anything missing or malformed. */
export async function readMessagingSettings(store: KeyValueStore): Promise<MessagingSettings> {
  const stored = await store.get(SETTINGS_KEY);
  const record = typeof stored === 'object' && stored !== null ? (stored as Record<string, unknown>) : {};
  const deadline = v.safeParse(anchorDeadlineSchema, record.anchorDeadlineMinutes);
  return {
    notifications: typeof record.notifications === 'boolean' ? record.notifications : DEFAULTS.notifications,
    anchorDeadlineMinutes: deadline.success ? deadline.output : DEFAULTS.anchorDeadlineMinutes,
  };
}

/** Changes the given settings, keeps the others. */
export async function writeMessagingSettings(
  store: KeyValueStore,
  changes: Partial<MessagingSettings>,
): Promise<void> {
  const current = await readMessagingSettings(store);
  const next: MessagingSettings = {
    notifications: changes.notifications ?? current.notifications,
    anchorDeadlineMinutes: v.parse(
      anchorDeadlineSchema,
      changes.anchorDeadlineMinutes ?? current.anchorDeadlineMinutes,
    ),
  };
  await store.set(SETTINGS_KEY, next);
}
