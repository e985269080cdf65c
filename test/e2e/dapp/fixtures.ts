/** Data the test dapp uses, shared by the page (which asks for it) and the tests (which verify it). */
import { defineChain } from 'viem';
import { etherMail } from '../../support/ether-mail.ts';

/** Cairn's default network: the Hardhat devnet on 127.0.0.1:8545. */
export const DEVNET_CHAIN = defineChain({
  id: 31337,
  name: 'Hardhat devnet',
  nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
  rpcUrls: { default: { http: ['http://127.0.0.1:8545'] } },
});

/** The EIP-712 "Mail" example on the devnet's chain. */
export const MAIL_TYPED_DATA = etherMail(31337);

export const CAIRN_RDNS = 'dev.cairn.wallet';
