/**
 * Parameter schemas for the dapp methods, applied in the background before any
 * handler runs. Anything that does not match is -32602 with the reason.
 */

import * as v from 'valibot';
import {
  type Address,
  getAddress,
  getTypesForEIP712Domain,
  type Hex,
  hashTypedData,
  hexToBytes,
  isAddress,
  isHex,
  type TypedDataDefinition,
  validateTypedData,
} from 'viem';
import { InvalidParamsError } from '../../keyring/errors';
import type { PermissionName } from './permissions-store';
import { checkStruct } from './typed-data-fields';

export const MAX_SIGN_MESSAGE_BYTES = 64 * 1024;
export const MAX_TYPED_DATA_CHARS = 128 * 1024;

export const addressSchema = v.pipe(
  v.string('expected an address string'),
  // Mixed case must be a valid EIP-55 checksum, so a typo in a checksummed address is caught.
  v.check((value) => isAddress(value), 'expected a 20-byte hex address'),
  v.transform((value) => getAddress(value)),
);
const quantitySchema = v.pipe(
  v.string('expected a hex quantity'),
  v.regex(/^0x(0|[1-9a-fA-F][0-9a-fA-F]*)$/, 'expected a 0x-prefixed hex quantity without leading zeros'),
  v.maxLength(66, 'quantity too large'),
  v.transform((value) => BigInt(value)),
);
const dataSchema = v.pipe(
  v.string('expected hex data'),
  v.check(
    (value) => isHex(value, { strict: true }) && value.length % 2 === 0,
    'expected 0x-prefixed even-length hex',
  ),
  v.maxLength(2 * 128 * 1024 + 2, 'data too large'),
  v.transform((value) => value as Hex),
);

/** Parses `params` of `method` with `schema`, or throws -32602 naming the first problem and where it is. */
export function parseParams<T extends v.GenericSchema>(
  schema: T,
  params: unknown,
  method: string,
): v.InferOutput<T> {
  const result = v.safeParse(schema, params);
  if (result.success) return result.output;
  const issue = result.issues[0];
  const path = issue?.path?.map((item) => String(item.key)).join('.') ?? '';
  throw new InvalidParamsError(
    `Invalid params for ${method}${path ? ` at ${path}` : ''}: ${issue?.message ?? 'invalid'}`,
  );
}

// strictTuple: `tuple` would let extra items through unnoticed.
const noParams = v.optional(v.union([v.undefined(), v.null(), v.strictTuple([])]));

export function parseNoParams(params: unknown, method: string): void {
  parseParams(noParams, params, method);
}

/** personal_sign [data, address]: hex data is bytes; any other string is UTF-8 text. */
export function parsePersonalSign(params: unknown): { address: Address; bytes: Uint8Array } {
  const [data, address] = parseParams(
    v.tuple([
      v.pipe(v.string(), v.maxLength(2 * MAX_SIGN_MESSAGE_BYTES + 2, 'message too large')),
      addressSchema,
    ]),
    params,
    'personal_sign',
  );
  const bytes =
    isHex(data, { strict: true }) && data.length % 2 === 0
      ? hexToBytes(data)
      : new TextEncoder().encode(data);
  if (bytes.length > MAX_SIGN_MESSAGE_BYTES)
    throw new InvalidParamsError('Invalid params for personal_sign: message too large');
  return { address, bytes };
}

const typedDataSchema = v.object({
  types: v.record(
    v.string(),
    v.pipe(v.array(v.object({ name: v.string(), type: v.string() })), v.maxLength(256)),
  ),
  primaryType: v.string(),
  domain: v.record(v.string(), v.unknown()),
  message: v.record(v.string(), v.unknown()),
});
export type ParsedTypedData = v.InferOutput<typeof typedDataSchema>;

/** eth_signTypedData_v4 [address, typedData]; typed data as JSON text or object, checked by viem. */
export function parseSignTypedData(params: unknown): { address: Address; typedData: ParsedTypedData } {
  const [address, raw] = parseParams(
    v.tuple([
      addressSchema,
      v.union([
        v.pipe(v.string(), v.maxLength(MAX_TYPED_DATA_CHARS, 'typed data too large')),
        v.record(v.string(), v.unknown()),
      ]),
    ]),
    params,
    'eth_signTypedData_v4',
  );
  let json: unknown = raw;
  if (typeof raw === 'string') {
    try {
      json = JSON.parse(raw);
    } catch {
      throw new InvalidParamsError('Invalid params for eth_signTypedData_v4: typed data is not valid JSON');
    }
  }
  const typedData = parseParams(typedDataSchema, json, 'eth_signTypedData_v4');
  if (typedData.primaryType === 'EIP712Domain') {
    // Signing the domain alone would show a message that is never signed.
    throw new InvalidParamsError(
      'Invalid params for eth_signTypedData_v4: primaryType must not be EIP712Domain',
    );
  }
  if (!typedData.types[typedData.primaryType]) {
    throw new InvalidParamsError(
      `Invalid params for eth_signTypedData_v4: unknown primaryType "${typedData.primaryType}"`,
    );
  }
  const definition = toTypedDataDefinition(typedData);
  const types = definition.types as Record<string, readonly { name: string; type: string }[]>;
  checkStruct('EIP712Domain', typedData.domain, types, 'domain');
  checkStruct(typedData.primaryType, typedData.message, types, 'message');
  try {
    validateTypedData(definition);
    hashTypedData(definition); // any value the encoder refuses fails now, not after the user approved
  } catch (error) {
    const reason = error instanceof Error ? (error.message.split('\n')[0] ?? 'invalid') : 'invalid';
    throw new InvalidParamsError(`Invalid params for eth_signTypedData_v4: ${reason}`);
  }
  return { address, typedData };
}

/**
 * viem's typed-data type is structural over literal type names, which decoded JSON
 * cannot satisfy statically; `validateTypedData` checks the same rules at run time.
 */
export function toTypedDataDefinition(typedData: ParsedTypedData): TypedDataDefinition {
  // EIP-712 hashes the domain with the EIP712Domain type the dapp declared; infer it only when absent.
  const types = { EIP712Domain: getTypesForEIP712Domain({ domain: typedData.domain }), ...typedData.types };
  return { ...typedData, types } as unknown as TypedDataDefinition;
}

const PERMISSIONS_SUPPORTED = 'only the eth_accounts and cairn_messaging permissions are supported';
/** A permission's caveats request: an object (its content is ignored). */
const permissionValue = v.custom<Record<string, unknown>>(
  (value) => typeof value === 'object' && value !== null && !Array.isArray(value),
  'expected an object',
);
const permissionRequestSchema = v.tuple([
  v.pipe(
    v.strictObject(
      { eth_accounts: v.optional(permissionValue), cairn_messaging: v.optional(permissionValue) },
      PERMISSIONS_SUPPORTED,
    ),
    v.check((request) => Object.keys(request).length > 0, 'name at least one permission'),
  ),
]);

/** The permissions named by an EIP-2255 request (`[{ eth_accounts: {}, cairn_messaging: {} }]`). */
export function parsePermissionRequest(params: unknown, method: string): Set<PermissionName> {
  const [request] = parseParams(permissionRequestSchema, params, method);
  const names = new Set<PermissionName>();
  if (request.eth_accounts) names.add('eth_accounts');
  if (request.cairn_messaging) names.add('cairn_messaging');
  return names;
}

const chainIdHexSchema = v.pipe(
  v.string('chainId must be a hex string'),
  v.regex(/^0x[1-9a-fA-F][0-9a-fA-F]{0,12}$/, 'chainId must be a 0x-prefixed hex number'),
  v.transform((value) => Number.parseInt(value, 16)),
  v.safeInteger(),
);

export function parseSwitchChain(params: unknown): number {
  return parseParams(
    v.tuple([v.object({ chainId: chainIdHexSchema })]),
    params,
    'wallet_switchEthereumChain',
  )[0].chainId;
}

/** EIP-3085 AddEthereumChainParameter. */
export function parseAddChain(params: unknown) {
  const [chain] = parseParams(
    v.tuple([
      v.object({
        chainId: chainIdHexSchema,
        chainName: v.pipe(v.string(), v.trim(), v.minLength(1), v.maxLength(60)),
        rpcUrls: v.pipe(v.array(v.string()), v.minLength(1, 'rpcUrls must not be empty'), v.maxLength(8)),
        nativeCurrency: v.object({
          name: v.pipe(v.string(), v.maxLength(40)),
          symbol: v.pipe(v.string(), v.maxLength(8)),
          decimals: v.literal(18, 'nativeCurrency.decimals must be 18'),
        }),
        blockExplorerUrls: v.optional(v.nullable(v.pipe(v.array(v.string()), v.maxLength(8)))),
        iconUrls: v.optional(v.unknown()),
      }),
    ]),
    params,
    'wallet_addEthereumChain',
  );
  return chain;
}

const transactionSchema = v.object({
  from: addressSchema,
  to: v.optional(v.nullable(addressSchema)),
  value: v.optional(quantitySchema),
  data: v.optional(dataSchema),
  input: v.optional(dataSchema),
  gas: v.optional(quantitySchema),
  gasPrice: v.optional(quantitySchema),
  maxFeePerGas: v.optional(quantitySchema),
  maxPriorityFeePerGas: v.optional(quantitySchema),
  nonce: v.optional(quantitySchema),
  chainId: v.optional(quantitySchema),
  type: v.optional(
    v.picklist(['0x0', '0x2'], 'only legacy (0x0) and EIP-1559 (0x2) transactions are supported'),
  ),
  // Not signed by Cairn yet: refuse rather than silently drop them from what gets signed.
  accessList: v.optional(v.pipe(v.array(v.unknown()), v.maxLength(0, 'access lists are not supported'))),
  authorizationList: v.optional(
    v.pipe(v.array(v.unknown()), v.maxLength(0, 'EIP-7702 authorizations are not supported')),
  ),
  blobVersionedHashes: v.optional(
    v.pipe(v.array(v.unknown()), v.maxLength(0, 'blob transactions are not supported')),
  ),
});
export type ParsedTransaction = v.InferOutput<typeof transactionSchema>;

export function parseSendTransaction(params: unknown): ParsedTransaction {
  const [transaction] = parseParams(v.tuple([transactionSchema]), params, 'eth_sendTransaction');
  if (
    transaction.data &&
    transaction.input &&
    transaction.data.toLowerCase() !== transaction.input.toLowerCase()
  ) {
    throw new InvalidParamsError('Invalid params for eth_sendTransaction: data and input differ');
  }
  if (!transaction.to && !(transaction.data ?? transaction.input)) {
    throw new InvalidParamsError('Invalid params for eth_sendTransaction: a contract creation needs data');
  }
  return transaction;
}

export function parsePassthrough(params: unknown, method: string): unknown[] {
  return parseParams(v.optional(v.pipe(v.array(v.unknown()), v.maxLength(16)), []), params, method);
}
