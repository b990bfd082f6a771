/**
 * Core's view of one wallet transaction (`gettransaction txid include_watchonly verbose`) and how
 * it becomes a {@link TxRecord}: Specter's categories (specter-node-chain.md §2), the signed flow
 * in satoshis and the wallet's own outputs.
 *
 * Core's `amount` + `fee` is credit − debit (my outputs − my inputs), which is Specter's flow.
 * Whether an input is the wallet's is read from the outputs of the wallet's other transactions:
 * every coin the wallet spends was first received in a transaction the wallet knows.
 */
import { btcToSats } from './amounts.js';
import type { Category, TxRecord } from './chain-state.js';

export interface CoreWalletTx {
  txid: string;
  amount: number;
  fee?: number;
  confirmations: number;
  blockhash?: string;
  blockheight?: number;
  blocktime?: number;
  time: number;
  timereceived: number;
  walletconflicts?: string[];
  replaced_by_txid?: string;
  generated?: boolean;
  decoded: {
    vin: Array<{ txid?: string; vout?: number; coinbase?: string }>;
    vout: Array<{ n: number; value: number; scriptPubKey: { address?: string } }>;
  };
}

/** Where an output address sits in the wallet, or undefined when it is not the wallet's. */
export type Ownership = (address: string) => { change: boolean } | undefined;

/** The record without the category (which needs the other transactions' outputs). */
export type TxDraft = Omit<TxRecord, 'category' | 'addresses'> & { debit: number; external: string[] };

export function draftFromCore(tx: CoreWalletTx, owner: Ownership): TxDraft {
  const outputs: TxRecord['outputs'] = [];
  const external: string[] = [];
  for (const o of tx.decoded.vout) {
    const address = o.scriptPubKey.address;
    const own = address === undefined ? undefined : owner(address);
    if (own && address !== undefined) outputs.push({ vout: o.n, address, amount: btcToSats(o.value), change: own.change });
    else if (address !== undefined) external.push(address);
  }
  const coinbase = tx.decoded.vin.some((i) => i.coinbase !== undefined);
  const fee = tx.fee === undefined ? 0 : btcToSats(tx.fee);
  const credit = outputs.reduce((s, o) => s + o.amount, 0);
  // Core counts an immature coinbase as 0; its flow is what it pays the wallet.
  const flow = coinbase ? credit : btcToSats(tx.amount) + fee;
  const confirmed = tx.confirmations > 0 && tx.blockhash !== undefined;
  const times = [tx.time, tx.timereceived, ...(confirmed && tx.blocktime !== undefined ? [tx.blocktime] : [])];
  return {
    txid: tx.txid,
    amount: flow,
    // Core's fee is (outputs − my inputs); it is a real fee only when every input is mine (fixed in classify).
    fee: tx.fee === undefined ? null : -fee,
    blockhash: confirmed ? tx.blockhash! : null,
    blockheight: confirmed && tx.blockheight !== undefined ? tx.blockheight : null,
    time: Math.min(...times),
    conflicted: tx.confirmations < 0,
    in_mempool: null,
    replaced_by: tx.replaced_by_txid ?? null,
    conflicts: [...(tx.walletconflicts ?? [])].sort(),
    outputs,
    inputs: coinbase ? [] : tx.decoded.vin.filter((i) => i.txid !== undefined).map((i) => `${i.txid}:${i.vout}`),
    coinbase,
    debit: credit - flow,
    external,
  };
}

/**
 * Specter's categories: coinbase → generate; no input mine → receive; all inputs mine → send, or
 * selftransfer when every output is mine too; some inputs mine → mixed.
 * `ownsOutpoint` answers for "txid:vout" from the wallet's known transactions.
 */
export function classify(draft: TxDraft, ownsOutpoint: (outpoint: string) => boolean): TxRecord {
  const { debit, external, ...rest } = draft;
  let category: Category;
  let fee = rest.fee;
  if (draft.coinbase) {
    category = 'generate';
    fee = null;
  } else if (debit <= 0) {
    category = 'receive';
    fee = null;
  } else {
    const mine = draft.inputs.filter(ownsOutpoint).length;
    if (mine === draft.inputs.length) category = external.length === 0 ? 'selftransfer' : 'send';
    else {
      category = 'mixed';
      fee = null;
    }
  }
  const receiving = draft.outputs.filter((o) => !o.change).map((o) => o.address);
  const addresses = category === 'send' ? external : receiving.length ? receiving : draft.outputs.map((o) => o.address);
  return { ...rest, category, fee, addresses };
}
