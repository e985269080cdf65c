/** Parameter parsing for the dapp methods: valid inputs decode, every invalid one is -32602 naming the problem. */
import { bytesToHex, type Hex } from 'viem';
import { describe, expect, it } from 'vitest';
import {
  MAX_SIGN_MESSAGE_BYTES,
  MAX_TYPED_DATA_CHARS,
  parseAddChain,
  parseNoParams,
  parsePassthrough,
  parsePermissionRequest,
  parsePersonalSign,
  parseSendTransaction,
  parseSignTypedData,
  parseSwitchChain,
} from '../../../src/background/dapp/dapp-params';
import { InvalidParamsError } from '../../../src/keyring/errors';
import { etherMailWithDomainType } from '../../support/ether-mail.ts';

const A0 = '0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266';
const A1 = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8';

/** Asserts `run` throws InvalidParamsError (-32602) with a message matching `message`. */
function expectInvalid(run: () => unknown, message: RegExp | string): void {
  let thrown: unknown;
  try {
    run();
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(InvalidParamsError);
  expect((thrown as InvalidParamsError).code).toBe(-32602);
  if (typeof message === 'string') expect((thrown as Error).message).toBe(message);
  else expect((thrown as Error).message).toMatch(message);
}

/** Ether Mail on the devnet chain, as loosely typed as decoded JSON is. */
function mail(): {
  types: Record<string, readonly { name: string; type: string }[]>;
  primaryType: string;
  domain: Record<string, unknown>;
  message: Record<string, unknown>;
} {
  return etherMailWithDomainType(31337);
}

describe('parseNoParams', () => {
  it('accepts no params, null and an empty array', () => {
    for (const params of [undefined, null, []]) expect(parseNoParams(params, 'eth_chainId')).toBeUndefined();
  });

  it('refuses objects and strings, naming the method', () => {
    expectInvalid(() => parseNoParams({}, 'eth_chainId'), /^Invalid params for eth_chainId: /);
    expectInvalid(() => parseNoParams('x', 'eth_accounts'), /^Invalid params for eth_accounts: /);
    expectInvalid(() => parseNoParams([1], 'eth_accounts'), /^Invalid params for eth_accounts: /);
  });
});

describe('parsePersonalSign', () => {
  it('reads even-length 0x hex as bytes and checksums the address', () => {
    const { address, bytes } = parsePersonalSign(['0x68656c6c6f', A0.toLowerCase()]);
    expect(address).toBe(A0);
    expect(new TextDecoder().decode(bytes)).toBe('hello');
    expect(bytesToHex(parsePersonalSign(['0xDEADbeef', A0]).bytes)).toBe('0xdeadbeef');
    expect(parsePersonalSign(['0x', A0]).bytes).toEqual(new Uint8Array());
  });

  it('reads any other string as UTF-8 text', () => {
    expect(bytesToHex(parsePersonalSign(['hello', A0]).bytes)).toBe('0x68656c6c6f');
    expect(bytesToHex(parsePersonalSign(['é✓', A0]).bytes)).toBe('0xc3a9e29c93');
    // Odd-length or non-hex "0x…" strings are text too.
    expect(bytesToHex(parsePersonalSign(['0x123', A0]).bytes)).toBe('0x3078313233');
    expect(bytesToHex(parsePersonalSign(['0xzz', A0]).bytes)).toBe('0x30787a7a');
  });

  it('ignores the legacy third (password) parameter', () => {
    expect(parsePersonalSign(['hello', A0, 'password']).address).toBe(A0);
  });

  it(`accepts up to ${MAX_SIGN_MESSAGE_BYTES} bytes, as hex or as text`, () => {
    expect(parsePersonalSign([`0x${'ab'.repeat(MAX_SIGN_MESSAGE_BYTES)}`, A0]).bytes).toHaveLength(
      MAX_SIGN_MESSAGE_BYTES,
    );
    expect(parsePersonalSign(['a'.repeat(MAX_SIGN_MESSAGE_BYTES), A0]).bytes).toHaveLength(
      MAX_SIGN_MESSAGE_BYTES,
    );
  });

  it('refuses messages over the limit, counting UTF-8 bytes rather than characters', () => {
    expectInvalid(
      () => parsePersonalSign([`0x${'ab'.repeat(MAX_SIGN_MESSAGE_BYTES + 1)}`, A0]),
      'Invalid params for personal_sign at 0: message too large',
    );
    expectInvalid(
      () => parsePersonalSign(['a'.repeat(MAX_SIGN_MESSAGE_BYTES + 1), A0]),
      'Invalid params for personal_sign: message too large',
    );
    // 21 846 three-byte characters: few characters, 65 538 bytes.
    expectInvalid(
      () => parsePersonalSign(['€'.repeat(21_846), A0]),
      'Invalid params for personal_sign: message too large',
    );
  });

  it('refuses malformed params, naming the position', () => {
    expectInvalid(() => parsePersonalSign('hello'), /^Invalid params for personal_sign: .*Array/);
    expectInvalid(
      () => parsePersonalSign(['hello']),
      'Invalid params for personal_sign at 1: expected an address string',
    );
    expectInvalid(() => parsePersonalSign([1, A0]), /^Invalid params for personal_sign at 0: .*string/);
    expectInvalid(
      () => parsePersonalSign(['hello', '0x1234']),
      'Invalid params for personal_sign at 1: expected a 20-byte hex address',
    );
    // The address first (an old, swapped order) is refused, not guessed.
    expectInvalid(
      () => parsePersonalSign([A0, 'hello']),
      'Invalid params for personal_sign at 1: expected a 20-byte hex address',
    );
  });
});

describe('parseSignTypedData', () => {
  it('accepts typed data as an object or as JSON text, with the same result', () => {
    const fromObject = parseSignTypedData([A0.toLowerCase(), mail()]);
    const fromText = parseSignTypedData([A0, JSON.stringify(mail())]);
    expect(fromObject.address).toBe(A0);
    expect(fromObject).toEqual(fromText);
    expect(fromObject.typedData.primaryType).toBe('Mail');
    expect(fromObject.typedData.message).toEqual(mail().message);
  });

  it('refuses a domain-only signature (primaryType EIP712Domain): its message would never be signed', () => {
    const { types, domain } = mail();
    expectInvalid(
      () =>
        parseSignTypedData([
          A0,
          { types: { EIP712Domain: types.EIP712Domain }, primaryType: 'EIP712Domain', domain, message: {} },
        ]),
      'Invalid params for eth_signTypedData_v4: primaryType must not be EIP712Domain',
    );
  });

  it('refuses missing fields, wrong shapes, too deep nesting and values the encoder rejects', () => {
    const base = mail();
    const { contents: _contents, ...noContents } = base.message;
    expectInvalid(
      () => parseSignTypedData([A0, { ...base, message: noContents }]),
      /at message\.contents: missing field of Mail/,
    );
    expectInvalid(
      () => parseSignTypedData([A0, { ...base, message: { ...base.message, from: 'Cow' } }]),
      /at message\.from: expected an object for Person/,
    );
    const deep = {
      types: { ...base.types, Node: [{ name: 'next', type: 'Node[]' }] },
      primaryType: 'Node',
      domain: base.domain,
      message: { next: [{ next: [{ next: [{ next: [] }] }] }] },
    };
    expectInvalid(() => parseSignTypedData([A0, deep]), /nested too deeply/);
    const flag = {
      types: { ...base.types, Flag: [{ name: 'on', type: 'bool' }] },
      primaryType: 'Flag',
      domain: base.domain,
      message: { on: 'false' },
    };
    expectInvalid(() => parseSignTypedData([A0, flag]), /Invalid params for eth_signTypedData_v4/);
  });

  it('refuses invalid JSON text and oversized text', () => {
    expectInvalid(
      () => parseSignTypedData([A0, '{"types":']),
      'Invalid params for eth_signTypedData_v4: typed data is not valid JSON',
    );
    expectInvalid(
      () => parseSignTypedData([A0, ' '.repeat(MAX_TYPED_DATA_CHARS + 1)]),
      'Invalid params for eth_signTypedData_v4 at 1: typed data too large',
    );
  });

  it('refuses an unknown primaryType', () => {
    expectInvalid(
      () => parseSignTypedData([A0, { ...mail(), primaryType: 'Letter' }]),
      'Invalid params for eth_signTypedData_v4: unknown primaryType "Letter"',
    );
  });

  it('refuses missing parts and a bad address parameter', () => {
    const { types: _types, ...noTypes } = mail();
    expectInvalid(
      () => parseSignTypedData([A0, noTypes]),
      /^Invalid params for eth_signTypedData_v4 at types: /,
    );
    const { message: _message, ...noMessage } = mail();
    expectInvalid(
      () => parseSignTypedData([A0, noMessage]),
      /^Invalid params for eth_signTypedData_v4 at message: /,
    );
    expectInvalid(
      () => parseSignTypedData(['0xnope', mail()]),
      'Invalid params for eth_signTypedData_v4 at 0: expected a 20-byte hex address',
    );
    expectInvalid(() => parseSignTypedData([A0, 42]), /^Invalid params for eth_signTypedData_v4 at 1: /);
  });

  it("reports viem's validation errors: an invalid address in the message", () => {
    const data = mail();
    data.message.to = { name: 'Bob', wallet: '0xnot-an-address' };
    expectInvalid(
      () => parseSignTypedData([A0, data]),
      'Invalid params for eth_signTypedData_v4: Address "0xnot-an-address" is invalid.',
    );
  });

  it("reports viem's validation errors: out-of-range integers, wrong bytes sizes, undefined types", () => {
    const uint8 = {
      types: { M: [{ name: 'x', type: 'uint8' }] },
      primaryType: 'M',
      domain: {},
      message: { x: 256 },
    };
    expectInvalid(
      () => parseSignTypedData([A0, uint8]),
      /^Invalid params for eth_signTypedData_v4: Number "256" is not in safe 8-bit unsigned integer range/,
    );
    const bytes32 = {
      types: { M: [{ name: 'x', type: 'bytes32' }] },
      primaryType: 'M',
      domain: {},
      message: { x: '0x1234' },
    };
    expectInvalid(
      () => parseSignTypedData([A0, bytes32]),
      'Invalid params for eth_signTypedData_v4: Expected bytes32, got bytes2.',
    );
    const undefinedType = {
      types: { M: [{ name: 'x', type: 'Missing' }] },
      primaryType: 'M',
      domain: {},
      message: { x: {} },
    };
    expectInvalid(
      () => parseSignTypedData([A0, undefinedType]),
      'Invalid params for eth_signTypedData_v4: Type "Missing" is not a valid EIP-712 type.',
    );
  });

  it('validates the domain against its declared EIP712Domain type: an invalid verifyingContract is refused', () => {
    const data = mail();
    data.domain.verifyingContract = '0xnot-an-address';
    expectInvalid(
      () => parseSignTypedData([A0, data]),
      'Invalid params for eth_signTypedData_v4: Address "0xnot-an-address" is invalid.',
    );
  });
});

describe('parsePermissionRequest', () => {
  it('accepts eth_accounts, cairn_messaging or both, and says which', () => {
    expect(parsePermissionRequest([{ eth_accounts: {} }], 'wallet_requestPermissions')).toEqual(
      new Set(['eth_accounts']),
    );
    expect(parsePermissionRequest([{ eth_accounts: { extra: 1 } }], 'wallet_revokePermissions')).toEqual(
      new Set(['eth_accounts']),
    );
    expect(parsePermissionRequest([{ cairn_messaging: {} }], 'wallet_requestPermissions')).toEqual(
      new Set(['cairn_messaging']),
    );
    expect(
      parsePermissionRequest([{ cairn_messaging: {}, eth_accounts: {} }], 'wallet_requestPermissions'),
    ).toEqual(new Set(['eth_accounts', 'cairn_messaging']));
  });

  it('refuses other permissions, missing ones and malformed requests', () => {
    expectInvalid(
      () => parsePermissionRequest([{ eth_accounts: {}, snap_dialog: {} }], 'wallet_requestPermissions'),
      'Invalid params for wallet_requestPermissions at 0.snap_dialog: only the eth_accounts and cairn_messaging permissions are supported',
    );
    expectInvalid(
      () => parsePermissionRequest([{ endowment: {} }], 'wallet_requestPermissions'),
      /^Invalid params for wallet_requestPermissions at 0\.\w+: only the eth_accounts and cairn_messaging permissions are supported$/,
    );
    expectInvalid(
      () => parsePermissionRequest([], 'wallet_revokePermissions'),
      'Invalid params for wallet_revokePermissions at 0: only the eth_accounts and cairn_messaging permissions are supported',
    );
    expectInvalid(
      () => parsePermissionRequest([{}], 'wallet_requestPermissions'),
      'Invalid params for wallet_requestPermissions at 0: name at least one permission',
    );
    expectInvalid(
      () => parsePermissionRequest([{ cairn_messaging: [] }], 'wallet_requestPermissions'),
      /^Invalid params for wallet_requestPermissions at 0\.cairn_messaging: /,
    );
    expectInvalid(
      () => parsePermissionRequest([{ eth_accounts: 1 }], 'wallet_requestPermissions'),
      /^Invalid params for wallet_requestPermissions at 0\.eth_accounts: /,
    );
    expectInvalid(
      () => parsePermissionRequest(undefined, 'wallet_requestPermissions'),
      /^Invalid params for wallet_requestPermissions/,
    );
  });
});

describe('parseSwitchChain', () => {
  it('reads the hex chain id', () => {
    expect(parseSwitchChain([{ chainId: '0x7a69' }])).toBe(31337);
    expect(parseSwitchChain([{ chainId: '0x14A34' }])).toBe(84532);
    expect(parseSwitchChain([{ chainId: '0xaa37dc' }])).toBe(11155420);
    expect(parseSwitchChain([{ chainId: '0xfffffffffffff' }])).toBe(2 ** 52 - 1);
  });

  it('refuses zero, leading zeros, decimal, numbers, too many digits and missing ids', () => {
    const hexProblem =
      'Invalid params for wallet_switchEthereumChain at 0.chainId: chainId must be a 0x-prefixed hex number';
    for (const chainId of ['0x0', '0x01', '7a69', '0x', '31337', '0x1fffffffffffff', '0x7a69 ']) {
      expectInvalid(() => parseSwitchChain([{ chainId }]), hexProblem);
    }
    expectInvalid(
      () => parseSwitchChain([{ chainId: 31337 }]),
      'Invalid params for wallet_switchEthereumChain at 0.chainId: chainId must be a hex string',
    );
    expectInvalid(() => parseSwitchChain([]), /^Invalid params for wallet_switchEthereumChain at 0: /);
    expectInvalid(
      () => parseSwitchChain([{}]),
      /^Invalid params for wallet_switchEthereumChain at 0\.chainId: /,
    );
  });
});

describe('parseAddChain', () => {
  const chain = () => ({
    chainId: '0x539',
    chainName: '  Local two  ',
    rpcUrls: ['http://127.0.0.1:8546'],
    nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
    blockExplorerUrls: null,
    iconUrls: ['https://example.org/icon.svg'],
  });

  it('reads an EIP-3085 chain, trimming the name', () => {
    expect(parseAddChain([chain()])).toEqual({ ...chain(), chainId: 1337, chainName: 'Local two' });
  });

  it('refuses each malformed field, naming it', () => {
    const cases: Array<[Record<string, unknown>, RegExp]> = [
      [{ chainId: '0x0' }, /at 0\.chainId: chainId must be a 0x-prefixed hex number$/],
      [{ chainName: '   ' }, /at 0\.chainName: /],
      [{ chainName: 'x'.repeat(61) }, /at 0\.chainName: /],
      [{ rpcUrls: [] }, /at 0\.rpcUrls: rpcUrls must not be empty$/],
      [{ rpcUrls: 'https://rpc.example' }, /at 0\.rpcUrls: /],
      [
        { nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 6 } },
        /at 0\.nativeCurrency\.decimals: nativeCurrency\.decimals must be 18$/,
      ],
      [
        { nativeCurrency: { name: 'Ether', symbol: 'TOOLONGSYM', decimals: 18 } },
        /at 0\.nativeCurrency\.symbol: /,
      ],
      [{ nativeCurrency: undefined }, /at 0\.nativeCurrency: /],
      [{ blockExplorerUrls: 'https://scan.example' }, /at 0\.blockExplorerUrls: /],
    ];
    for (const [override, message] of cases) {
      expectInvalid(() => parseAddChain([{ ...chain(), ...override }]), message);
    }
    expectInvalid(() => parseAddChain([]), /^Invalid params for wallet_addEthereumChain at 0: /);
  });
});

describe('parseSendTransaction', () => {
  it('decodes quantities to bigints and checksums addresses', () => {
    const tx = parseSendTransaction([
      {
        from: A0.toLowerCase(),
        to: A1.toLowerCase(),
        value: '0xde0b6b3a7640000',
        gas: '0x5208',
        maxFeePerGas: '0x83215600',
        maxPriorityFeePerGas: '0x3b9aca00',
        nonce: '0x0',
        chainId: '0x7a69',
        type: '0x2',
        data: '0xabCD',
      },
    ]);
    expect(tx).toEqual({
      from: A0,
      to: A1,
      value: 10n ** 18n,
      gas: 21000n,
      maxFeePerGas: 2_200_000_000n,
      maxPriorityFeePerGas: 1_000_000_000n,
      nonce: 0n,
      chainId: 31337n,
      type: '0x2',
      data: '0xabCD',
    });
  });

  it('accepts a contract creation with data, and input as an alias of data', () => {
    expect(parseSendTransaction([{ from: A0, data: '0x6080' }]).to).toBeUndefined();
    expect(parseSendTransaction([{ from: A0, to: null, input: '0x6080' }]).input).toBe('0x6080');
    expect(parseSendTransaction([{ from: A0, to: A1, data: '0x6080', input: '0x6080' }]).data).toBe('0x6080');
  });

  it('treats data and input that differ only in letter case as the same bytes', () => {
    expect(parseSendTransaction([{ from: A0, to: A1, data: '0xABCD', input: '0xabcd' }]).to).toBe(A1);
  });

  it('refuses bad hex quantities', () => {
    const leadingZeros = /at 0\.value: expected a 0x-prefixed hex quantity without leading zeros$/;
    for (const value of ['0x01', '0x00', '0x', '100', '0xg', '-0x1', '0X1']) {
      expectInvalid(() => parseSendTransaction([{ from: A0, to: A1, value }]), leadingZeros);
    }
    expectInvalid(
      () => parseSendTransaction([{ from: A0, to: A1, value: 1 }]),
      /at 0\.value: expected a hex quantity$/,
    );
    expectInvalid(
      () => parseSendTransaction([{ from: A0, to: A1, gas: `0x1${'0'.repeat(64)}` }]),
      /at 0\.gas: quantity too large$/,
    );
    expectInvalid(() => parseSendTransaction([{ from: A0, to: A1, nonce: '0x007' }]), /at 0\.nonce: /);
  });

  it('refuses bad data, addresses and shapes', () => {
    expectInvalid(
      () => parseSendTransaction([{ from: A0, to: A1, data: '0x123' }]),
      /at 0\.data: expected 0x-prefixed even-length hex$/,
    );
    expectInvalid(() => parseSendTransaction([{ from: A0, to: A1, input: 'hello' }]), /at 0\.input: /);
    expectInvalid(
      () => parseSendTransaction([{ from: '0x12', to: A1 }]),
      /at 0\.from: expected a 20-byte hex address$/,
    );
    expectInvalid(() => parseSendTransaction([{ to: A1 }]), /at 0\.from: /);
    // EIP-55: mixed case with one letter's case flipped is a typo, not an address.
    expectInvalid(
      () => parseSendTransaction([{ from: A0, to: '0x70997970c51812dc3A010C7d01b50e0d17dc79C8' }]),
      /at 0\.to: expected a 20-byte hex address$/,
    );
    expectInvalid(() => parseSendTransaction([{ from: A0, to: 'vitalik.eth' }]), /at 0\.to: /);
    expectInvalid(
      () => parseSendTransaction({ from: A0, to: A1 }),
      /^Invalid params for eth_sendTransaction: /,
    );
  });

  it('refuses data and input that differ', () => {
    expectInvalid(
      () => parseSendTransaction([{ from: A0, to: A1, data: '0x01', input: '0x02' }]),
      'Invalid params for eth_sendTransaction: data and input differ',
    );
  });

  it('refuses a contract creation without data', () => {
    const message = 'Invalid params for eth_sendTransaction: a contract creation needs data';
    expectInvalid(() => parseSendTransaction([{ from: A0 }]), message);
    expectInvalid(() => parseSendTransaction([{ from: A0, to: null, value: '0x1' }]), message);
  });

  it('refuses transaction types other than legacy and EIP-1559', () => {
    for (const type of ['0x1', '0x3', '0x4', '0x02', 2]) {
      expectInvalid(
        () => parseSendTransaction([{ from: A0, to: A1, type }]),
        /at 0\.type: only legacy \(0x0\) and EIP-1559 \(0x2\) transactions are supported$/,
      );
    }
  });
});

describe('parsePassthrough', () => {
  it('passes arrays through and defaults missing params to []', () => {
    expect(parsePassthrough(undefined, 'eth_blockNumber')).toEqual([]);
    const params: Hex[] = [A0, '0x1'];
    expect(parsePassthrough(params, 'eth_getBalance')).toEqual(params);
  });

  it('refuses objects and more than 16 params', () => {
    expectInvalid(() => parsePassthrough({ to: A0 }, 'eth_call'), /^Invalid params for eth_call: /);
    expectInvalid(
      () => parsePassthrough(new Array(17).fill('0x0'), 'eth_getLogs'),
      /^Invalid params for eth_getLogs: /,
    );
  });
});
