/** Messaging settings in the local store: defaults, partial changes, and stored garbage. */
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_ANCHOR_DEADLINE_MINUTES,
  readMessagingSettings,
  writeMessagingSettings,
} from '../../../src/background/messaging/messaging-settings';
import { MemoryKeyValueStore } from '../../../src/keyring/key-value-store';

describe('messaging settings', () => {
  it('defaults to notifications on and a 10-minute anchoring deadline', async () => {
    expect(await readMessagingSettings(new MemoryKeyValueStore())).toEqual({
      notifications: true,
      anchorDeadlineMinutes: DEFAULT_ANCHOR_DEADLINE_MINUTES,
    });
    expect(DEFAULT_ANCHOR_DEADLINE_MINUTES).toBe(10);
  });

  it('changes what is given and keeps the rest', async () => {
    const store = new MemoryKeyValueStore();
    await writeMessagingSettings(store, { notifications: false });
    await writeMessagingSettings(store, { anchorDeadlineMinutes: 0 });
    expect(await readMessagingSettings(store)).toEqual({ notifications: false, anchorDeadlineMinutes: 0 });
  });

  it('refuses a deadline out of range and stores nothing', async () => {
    const store = new MemoryKeyValueStore();
    for (const bad of [-1, 1.5, Number.NaN, 7 * 24 * 60 + 1]) {
      await expect(writeMessagingSettings(store, { anchorDeadlineMinutes: bad })).rejects.toThrow(
        /anchorDeadlineMinutes/,
      );
    }
    expect(await store.get('settings.messaging')).toBeUndefined();
  });

  it('reads stored garbage field by field as the defaults', async () => {
    const store = new MemoryKeyValueStore();
    await store.set('settings.messaging', { notifications: false, anchorDeadlineMinutes: 'soon' });
    expect(await readMessagingSettings(store)).toEqual({ notifications: false, anchorDeadlineMinutes: 10 });
    await store.set('settings.messaging', 'garbage');
    expect(await readMessagingSettings(store)).toEqual({ notifications: true, anchorDeadlineMinutes: 10 });
  });
});
