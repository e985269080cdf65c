/** What an approval window shows of a prepared transaction. */
import type { Network } from '../../chain/networks';
import type { PreparedTransaction } from '../../chain/transaction-preparer';
import type { TransactionView } from './approval-types';

export function transactionView(prepared: PreparedTransaction, network: Network): TransactionView {
  const gas = prepared.gas ?? 0n;
  const perGas = prepared.type === 'legacy' ? (prepared.gasPrice ?? 0n) : (prepared.maxFeePerGas ?? 0n);
  return {
    to: prepared.to ?? null,
    valueWei: (prepared.value ?? 0n).toString(),
    data: prepared.data ?? '0x',
    gas: gas.toString(),
    maxFeePerGasWei: prepared.type === 'legacy' ? null : (prepared.maxFeePerGas ?? 0n).toString(),
    gasPriceWei: prepared.type === 'legacy' ? (prepared.gasPrice ?? 0n).toString() : null,
    maxFeeWei: (gas * perGas).toString(),
    network,
  };
}
