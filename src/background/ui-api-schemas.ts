/**
 * Runtime schemas for every privileged UI method: the background validates each
 * request's params before a handler sees them (never trust a port message's shape).
 */
import * as v from 'valibot';
import { getAddress } from 'viem';
import { chainIdSchema, customNetworkSchema } from '../chain/networks';
import { MAX_TEXT_BYTES } from '../protocol/limits';
import { anchorDeadlineSchema } from './messaging/messaging-settings';
import type { UiMethod } from './ui-api-contract';

const password = v.pipe(v.string('"password" must be a string'), v.maxLength(1024, '"password" is too long'));
const address = v.pipe(
  v.string(),
  v.regex(/^0x[0-9a-fA-F]{40}$/, '"address" must be a 0x-prefixed 20-byte hex'),
  v.transform((value) => getAddress(value)),
);
const accountName = v.pipe(
  v.string('"name" must be a string'),
  v.trim(),
  v.minLength(1, '"name" must not be empty'),
  v.maxLength(40, '"name" must be at most 40 characters'),
);

export const MIN_AUTO_LOCK_MINUTES = 1;
export const MAX_AUTO_LOCK_MINUTES = 24 * 60;
export const DEFAULT_AUTO_LOCK_MINUTES = 15;

export const autoLockMinutesSchema = v.pipe(
  v.number('"minutes" must be a number'),
  v.integer('"minutes" must be a whole number'),
  v.minValue(MIN_AUTO_LOCK_MINUTES, `"minutes" must be at least ${MIN_AUTO_LOCK_MINUTES}`),
  v.maxValue(MAX_AUTO_LOCK_MINUTES, `"minutes" must be at most ${MAX_AUTO_LOCK_MINUTES}`),
);

const none = v.optional(v.undefined());

/** Most messages one `getMessages` call returns. */
export const MAX_PAGE_SIZE = 200;
const messageText = v.pipe(
  v.string('"text" must be a string'),
  v.minLength(1, '"text" must not be empty'),
  v.check((text) => new TextEncoder().encode(text).length <= MAX_TEXT_BYTES, '"text" is over 64 KiB'),
);
const approvalId = v.pipe(v.string(), v.uuid('"id" must be an approval id'));

export const uiParamSchemas = {
  getState: none,
  generateMnemonic: v.strictObject({ words: v.picklist([12, 24], '"words" must be 12 or 24') }),
  createFromMnemonic: v.strictObject({
    password,
    mnemonic: v.pipe(v.string('"mnemonic" must be a string'), v.maxLength(1024, '"mnemonic" is too long')),
  }),
  createFromPrivateKey: v.strictObject({
    password,
    privateKey: v.pipe(
      v.string('"privateKey" must be a string'),
      v.maxLength(256, '"privateKey" is too long'),
    ),
  }),
  unlock: v.strictObject({ password }),
  lock: none,
  addAccount: v.strictObject({ name: v.optional(accountName) }),
  renameAccount: v.strictObject({ address, name: accountName }),
  setAutoLockMinutes: v.strictObject({ minutes: autoLockMinutesSchema }),
  getApproval: v.strictObject({ id: approvalId }),
  resolveApproval: v.strictObject({
    id: approvalId,
    approved: v.boolean(),
    accounts: v.optional(v.pipe(v.array(address), v.maxLength(100))),
  }),
  listConnectedSites: none,
  revokeSite: v.strictObject({ origin: v.pipe(v.string(), v.maxLength(2048)) }),
  getNetworks: none,
  selectNetwork: v.strictObject({ chainId: chainIdSchema }),
  addNetwork: customNetworkSchema,
  removeNetwork: v.strictObject({ chainId: chainIdSchema }),
  listConversations: v.strictObject({ account: address }),
  getMessages: v.strictObject({
    account: address,
    peer: address,
    before: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0))),
    limit: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(MAX_PAGE_SIZE))),
  }),
  canMessage: v.strictObject({ account: address, address }),
  sendMessage: v.strictObject({ account: address, to: address, text: messageText }),
  markConversationRead: v.strictObject({ account: address, peer: address }),
  getMessageAnchors: v.strictObject({
    account: address,
    ids: v.pipe(v.array(v.pipe(v.string(), v.regex(/^[0-9a-f]{64}$/))), v.maxLength(MAX_PAGE_SIZE)),
  }),
  rebuildInbox: v.strictObject({ account: address }),
  verifyMessageAnchor: v.strictObject({
    account: address,
    id: v.pipe(v.string(), v.regex(/^[0-9a-f]{64}$/)),
  }),
  getOverdueAnchors: v.strictObject({ account: address }),
  anchorOverdueMessages: v.strictObject({ account: address }),
  getRebuildProgress: none,
  getKeyOnChain: v.strictObject({ account: address }),
  publishKeyOnChain: v.strictObject({ account: address }),
  getKeyChanges: v.strictObject({ account: address, peer: address }),
  getRelayStatus: none,
  getMessagingSettings: none,
  setMessagingSettings: v.strictObject({
    notifications: v.optional(v.boolean()),
    anchorDeadlineMinutes: v.optional(anchorDeadlineSchema),
  }),
} satisfies Record<UiMethod, v.GenericSchema>;
