/**
 * What the user sees must be what gets signed. EIP-712 hashes only the fields its
 * types declare, so a domain or message carrying undeclared keys, missing fields or
 * deeper nesting than the approval window shows is refused before anyone is asked.
 * https://eips.ethereum.org/EIPS/eip-712
 */
import { InvalidParamsError } from '../../keyring/errors';

/** Struct and array nesting allowed below the domain or the message (the window shows all of it). */
export const MAX_TYPED_DATA_DEPTH = 6;

type Types = Record<string, readonly { name: string; type: string }[]>;

function fail(path: string, reason: string): never {
  throw new InvalidParamsError(`Invalid params for eth_signTypedData_v4 at ${path}: ${reason}`);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function checkValue(type: string, value: unknown, types: Types, path: string, depth: number): void {
  const array = /^(.*)\[(\d*)\]$/.exec(type);
  if (array) {
    const [, inner = '', length] = array;
    if (!Array.isArray(value)) fail(path, `expected an array for ${type}`);
    if (length !== '' && value.length !== Number(length)) fail(path, `expected ${length} items for ${type}`);
    if (depth >= MAX_TYPED_DATA_DEPTH) fail(path, 'nested too deeply');
    value.forEach((item, i) => {
      checkValue(inner, item, types, `${path}[${i}]`, depth + 1);
    });
    return;
  }
  if (types[type]) {
    if (depth >= MAX_TYPED_DATA_DEPTH) fail(path, 'nested too deeply');
    checkStruct(type, value, types, path, depth + 1);
  }
  // Atomic values (address, uintN, bytesN, bool, string, bytes) are checked by viem's encoder.
}

/** `value` has exactly the fields of struct `typeName`, recursively. */
export function checkStruct(typeName: string, value: unknown, types: Types, path: string, depth = 0): void {
  const fields = types[typeName];
  if (!fields) fail(path, `unknown type "${typeName}"`);
  if (!isPlainObject(value)) fail(path, `expected an object for ${typeName}`);
  const declared = new Set(fields.map((field) => field.name));
  for (const key of Object.keys(value)) {
    if (!declared.has(key))
      fail(`${path}.${key}`, `"${key}" is not a field of ${typeName}, so it would not be signed`);
  }
  for (const field of fields) {
    if (!(field.name in value)) fail(`${path}.${field.name}`, `missing field of ${typeName}`);
    checkValue(field.type, value[field.name], types, `${path}.${field.name}`, depth);
  }
}
