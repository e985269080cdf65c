/** Data the test dapp uses, shared by the page (which asks for it) and the tests (which verify it). */
import { defineChain } from 'viem';

/** Cairn's default network: the Hardhat devnet on 127.0.0.1:8545. */
export const DEVNET_CHAIN = defineChain({
  id: 31337,
  name: 'Hardhat devnet',
  nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
  rpcUrls: { default: { http: ['http://127.0.0.1:8545'] } },
});

/** The EIP-712 "Mail" example (https://eips.ethereum.org/EIPS/eip-712), on the devnet's chain. */
export const MAIL_TYPED_DATA = {
  domain: {
    name: 'Ether Mail',
    version: '1',
    chainId: 31337,
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

export const CAIRN_RDNS = 'dev.cairn.wallet';
