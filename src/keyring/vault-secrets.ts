/**
 * The plaintext inside the vault: a UTF-8 JSON document
 * `{ version: 1, hd: { mnemonic, accountNames } | null, imported: [{ privateKey, name }],
 *    messagingKeys?: { <checksummed address>: <base64 XMTP private key bundle> } }`.
 * `messagingKeys` came later and is optional, so every older vault still opens.
 * Validated after every decryption; a payload that decrypts but does not validate
 * is a VaultFormatError whose message names the field, never its value.
 */
import * as v from 'valibot';
import { isAccountName } from './accounts.ts';
import { decodeBase64 } from './base64.ts';
import { VaultFormatError } from './errors.ts';
import { MAX_HD_INDEX } from './hd-accounts.ts';
import { parseMnemonic } from './mnemonic.ts';
import { parsePrivateKey } from './private-key.ts';

export const SECRETS_VERSION = 1;

/** Applies `parse` and keeps its output; any throw becomes an issue without the input in it. */
function parsedBy<T>(parse: (input: string) => T) {
  return v.pipe(
    v.string(),
    v.rawTransform<string, T>(({ dataset, addIssue, NEVER }) => {
      try {
        return parse(dataset.value);
      } catch {
        addIssue();
        return NEVER;
      }
    }),
  );
}

const NameSchema = v.pipe(v.string(), v.check(isAccountName));

/** Generous: a private bundle with its identity key and a few pre-keys is well under 2 KiB. */
export const MAX_MESSAGING_KEY_BYTES = 16 * 1024;

const MessagingKeySchema = v.pipe(
  v.string(),
  v.maxLength(Math.ceil(MAX_MESSAGING_KEY_BYTES / 3) * 4),
  v.check((text) => decodeBase64(text) !== undefined),
);

const SecretsSchema = v.strictObject({
  version: v.literal(SECRETS_VERSION),
  hd: v.nullable(
    v.strictObject({
      mnemonic: parsedBy(parseMnemonic),
      accountNames: v.pipe(v.array(NameSchema), v.minLength(1), v.maxLength(MAX_HD_INDEX + 1)),
    }),
  ),
  imported: v.array(
    v.strictObject({
      privateKey: parsedBy(parsePrivateKey),
      name: NameSchema,
    }),
  ),
  messagingKeys: v.optional(v.record(v.pipe(v.string(), v.regex(/^0x[0-9a-fA-F]{40}$/)), MessagingKeySchema)),
});

/** The decrypted vault contents. */
export type VaultSecrets = v.InferOutput<typeof SecretsSchema>;
export type HdSecrets = NonNullable<VaultSecrets['hd']>;
export type ImportedKey = VaultSecrets['imported'][number];

/**
 * Validates decrypted JSON.
 * @throws VaultFormatError naming the first invalid field (never its value).
 */
export function parseVaultSecrets(json: unknown): VaultSecrets {
  const result = v.safeParse(SecretsSchema, json, { abortEarly: true });
  if (result.success) return result.output;
  const path = v.getDotPath(result.issues[0]);
  throw new VaultFormatError(`decrypted data is invalid${path ? ` at "${path}"` : ''}`);
}

/** A deep copy, so callers can build the next state without touching the current one. */
export function cloneVaultSecrets(secrets: VaultSecrets): VaultSecrets {
  return {
    version: secrets.version,
    hd: secrets.hd && { mnemonic: secrets.hd.mnemonic, accountNames: [...secrets.hd.accountNames] },
    imported: secrets.imported.map((key) => ({ privateKey: key.privateKey, name: key.name })),
    ...(secrets.messagingKeys ? { messagingKeys: { ...secrets.messagingKeys } } : {}),
  };
}
