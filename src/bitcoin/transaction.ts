/**
 * Sizes of a raw transaction, for the fee rate: size (bytes on the wire, witness included),
 * weight (BIP-141: base size × 3 + total size) and virtual size (weight / 4, rounded up).
 * Parsed with bitcoinjs-lib's Transaction (its own module: the package root pulls in every
 * payment type and PSBT). Bitcoin Core's decoded transactions carry the same three numbers; this is
 * for answers that lack them.
 */
import { Transaction } from 'bitcoinjs-lib/src/transaction';
import { SpecterError } from '../errors/index.js';

export interface TransactionSizes {
  size: number;
  vsize: number;
  weight: number;
}

export function transactionSizes(hex: string): TransactionSizes {
  let tx: Transaction;
  try {
    if (!/^(?:[0-9a-fA-F]{2})+$/.test(hex)) throw new Error('not hex');
    tx = Transaction.fromHex(hex);
  } catch (err) {
    throw new SpecterError('VALIDATION', `Not a raw transaction: ${(err as Error).message}.`, { details: { field: 'hex' } });
  }
  return { size: tx.byteLength(), vsize: tx.virtualSize(), weight: tx.weight() };
}
