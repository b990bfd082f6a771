/**
 * What the send flow tells the layers above (the app turns these into the extensions'
 * `psbt_created` and `transaction_broadcast` callbacks): a PSBT was made (or a replacement), and
 * a transaction left for the network. Amounts in satoshis; `user` is the wallet owner's id.
 */
import type { PsbtReview } from './review.js';

export interface PsbtCreatedEvent {
  user: string;
  wallet: string;
  txid: string;
  /** What leaves the wallet (the external outputs). */
  amount: number;
  fee: number;
  fee_rate: number | null;
  /** The outputs to others: address and amount. */
  recipients: Array<{ address: string | null; amount: number }>;
  /** An RBF replacement: the transaction it replaces, else null. */
  replaces: string | null;
}

export interface TransactionBroadcastEvent {
  user: string;
  wallet: string;
  txid: string;
  amount: number;
  fee: number;
}

export interface SendListeners {
  onPsbtCreated?: (event: PsbtCreatedEvent) => unknown;
  onBroadcast?: (event: TransactionBroadcastEvent) => unknown;
}

export function psbtCreatedEvent(user: string, wallet: string, review: PsbtReview, replaces: string | null): PsbtCreatedEvent {
  return {
    user,
    wallet,
    txid: review.txid,
    amount: review.amount,
    fee: review.fee,
    fee_rate: review.fee_rate,
    recipients: review.outputs.filter((o) => o.ownership === 'external').map((o) => ({ address: o.address, amount: o.amount })),
    replaces,
  };
}
