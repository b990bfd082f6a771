/**
 * Stored transactions as pages, the API and extensions see them: confirmations counted from the
 * last synced tip, the label of the wallet's receiving address, and (for `wallet_synced`) each
 * of the wallet's outputs with the extension that reserved its address.
 */
import type { Wallet } from '../wallets/index.js';
import type { ChainState, TxRecord } from './chain-state.js';

/** One transaction as pages and the API show it (amounts in satoshis, `amount` the signed flow). */
export interface TxView {
  txid: string;
  category: TxRecord['category'];
  amount: number;
  fee: number | null;
  confirmations: number;
  blockheight: number | null;
  time: number;
  addresses: string[];
  label: string | null;
}

export interface SyncedOutput {
  address: string;
  vout: number;
  amount: number;
  change: boolean;
  /** The extension that reserved this address, or null. */
  service_id: string | null;
}

export interface WalletSyncedEvent {
  /** The wallet owner's user id. */
  user: string;
  /** The wallet alias. */
  wallet: string;
  transactions: Array<TxView & { isNew: boolean; outputs: SyncedOutput[]; service_ids: string[] }>;
}

/** A transaction's label: the label of the wallet's receiving address (none for a send). */
export function txLabel(record: Pick<TxRecord, 'category' | 'addresses'>, wallet: Wallet): string | null {
  const own = record.category === 'send' ? undefined : record.addresses.find((a) => wallet.findAddress(a));
  return own ? wallet.getAddressInfo(own).label : null;
}

export function txView(record: TxRecord, state: ChainState, wallet: Wallet): TxView {
  const confirmations = record.blockheight !== null && state.tip_height !== null ? Math.max(0, state.tip_height - record.blockheight + 1) : 0;
  const label = txLabel(record, wallet);
  return {
    txid: record.txid,
    category: record.category,
    amount: record.amount,
    fee: record.fee,
    confirmations,
    blockheight: record.blockheight,
    time: record.time,
    addresses: [...record.addresses],
    label,
  };
}

export function syncedEvent(
  user: string,
  alias: string,
  wallet: Wallet,
  state: ChainState,
  added: TxRecord[],
  changed: TxRecord[],
): WalletSyncedEvent {
  const tx = (record: TxRecord, isNew: boolean): WalletSyncedEvent['transactions'][number] => {
    const outputs = record.outputs.map((o) => ({ ...o, service_id: wallet.findAddress(o.address)?.serviceId ?? null }));
    const serviceIds = [
      ...new Set(
        outputs
          .filter((o) => !o.change)
          .map((o) => o.service_id)
          .filter((s): s is string => s !== null),
      ),
    ];
    return { ...txView(record, state, wallet), isNew, outputs, service_ids: serviceIds };
  };
  return { user, wallet: alias, transactions: [...added.map((r) => tx(r, true)), ...changed.map((r) => tx(r, false))] };
}
