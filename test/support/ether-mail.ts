/**
 * The EIP-712 specification's "Ether Mail" example (https://eips.ethereum.org/EIPS/eip-712),
 * the known-answer typed data every signing test uses. Plain data: the test dapp page
 * bundles it too.
 */

export const EIP712_DOMAIN_TYPE = [
  { name: 'name', type: 'string' },
  { name: 'version', type: 'string' },
  { name: 'chainId', type: 'uint256' },
  { name: 'verifyingContract', type: 'address' },
] as const;

/** Ether Mail on `chainId`, without the EIP712Domain type (as viem's signTypedData takes it). */
export function etherMail<C extends number | string>(chainId: C) {
  return {
    domain: {
      name: 'Ether Mail',
      version: '1',
      chainId,
      verifyingContract: '0xCcCCccccCCCCcCCCCCCcCcCccCcCCCcCcccccccC',
    },
    types: {
      Person: [
        { name: 'name', type: 'string' },
        { name: 'wallet', type: 'address' },
      ],
      Mail: [
        { name: 'from', type: 'Person' },
        { name: 'to', type: 'Person' },
        { name: 'contents', type: 'string' },
      ],
    },
    primaryType: 'Mail',
    message: {
      from: { name: 'Cow', wallet: '0xCD2a3d9F938E13CD947Ec05AbC7FE734Df8DD826' },
      to: { name: 'Bob', wallet: '0xbBbBBBBbbBBBbbbBbbBbbbbBBbBbbbbBbBbbBBbB' },
      contents: 'Hello, Bob!',
    },
  } as const;
}

/** Ether Mail as a dapp sends it over eth_signTypedData_v4: the EIP712Domain type declared. */
export function etherMailWithDomainType<C extends number | string>(chainId: C) {
  const mail = etherMail(chainId);
  return { ...mail, types: { EIP712Domain: EIP712_DOMAIN_TYPE, ...mail.types } } as const;
}
