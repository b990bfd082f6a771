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

/** What Core says of a wallet transaction in every answer (gettransaction, listtransactions, listsinceblock). */
interface CoreTxCommon {
  txid: string;
  amount: number;
  confirmations: number;
  blockhash?: string;
  blockheight?: number;
  blocktime?: number;
  time: number;
  timereceived: number;
  walletconflicts?: string[];
  replaced_by_txid?: string;
}

export interface CoreWalletTx extends CoreTxCommon {
  fee?: number;
  generated?: boolean;
  decoded: {
    vin: Array<{ txid?: string; vout?: number; coinbase?: string }>;
    vout: Array<{ n: number; value: number; scriptPubKey: { address?: string } }>;
  };
}

/** One entry of `listtransactions` / `listsinceblock`: one per wallet output, or per output a send paid. */
export interface CoreListEntry extends CoreTxCommon {
  category: 'send' | 'receive' | 'generate' | 'immature' | 'orphan';
  address?: string;
  vout: number;
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
 * Whether a transaction's listing entries say all there is to store, or it must be fetched with
 * `gettransaction`. Enough for a confirmed transaction that only pays the wallet: Core
 * lists a "send" entry for every non-change output of a transaction that spends any of the
 * wallet's coins, so no "send" entry means none of its inputs is the wallet's (debit 0), and its
 * receive entries are all of the wallet's outputs. This is what makes a first sync of a big
 * history cost about what Core's listing costs: most transactions are such receives.
 */
export function listingSuffices(entries: readonly CoreListEntry[]): boolean {
  const first = entries[0];
  if (!first || first.confirmations <= 0 || first.blockhash === undefined) return false;
  return entries.every((e) => (e.category === 'receive' || e.category === 'generate' || e.category === 'immature') && e.address !== undefined);
}

/** The draft of a transaction {@link listingSuffices} accepted (its entries, one per output). */
export function draftFromListing(entries: readonly CoreListEntry[], owner: Ownership): TxDraft {
  const first = entries[0]!;
  const outputs: TxRecord['outputs'] = [];
  let credit = 0;
  for (const e of [...entries].sort((a, b) => a.vout - b.vout)) {
    const amount = btcToSats(e.amount);
    credit += amount;
    // As from gettransaction: outputs the wallet cannot place (no origin in its lists) are not its own.
    const own = owner(e.address!);
    if (own) outputs.push({ vout: e.vout, address: e.address!, amount, change: own.change });
  }
  const times = [first.time, first.timereceived, ...(first.blocktime !== undefined ? [first.blocktime] : [])];
  return {
    txid: first.txid,
    amount: credit,
    fee: null,
    blockhash: first.blockhash!,
    blockheight: first.blockheight ?? null,
    time: Math.min(...times),
    conflicted: false,
    in_mempool: null,
    replaced_by: first.replaced_by_txid ?? null,
    conflicts: [...(first.walletconflicts ?? [])].sort(),
    outputs,
    inputs: [],
    coinbase: entries.some((e) => e.category === 'generate' || e.category === 'immature'),
    debit: 0,
    external: [],
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
  // The inputs matter while a transaction can still be replaced, and when they are the wallet's
  // (frozen coins spent, categories). A confirmed receive keeps none, whichever way it was read,
  // so a listing and a gettransaction of it store the same record.
  const inputs = debit <= 0 && rest.blockhash !== null ? [] : rest.inputs;
  return { ...rest, inputs, category, fee, addresses };
}
