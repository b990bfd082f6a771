/**
 * One transaction in full, for its page and `GET /api/v1/wallets/:alias/transactions/:txid`: every
 * input and output with its address, amount and whose it is (the wallet's receive or change
 * branch, or external), the fee and fee rate, size / virtual size / weight, the block and the raw
 * hex. Asked from Core on demand (nothing of this is stored).
 *
 * `gettransaction … verbose` decodes the transaction, but a decoded input names only the output it
 * spends (txid:vout), not that output's address or value. Those come from, in order:
 * 1. a confirmed transaction: `getrawtransaction txid 2 blockhash` — Core reads every spent output
 *    from the block's undo data, one call, no txindex needed;
 * 2. per input, the previous transaction: `gettransaction` on the wallet (the wallet's own coins
 *    and anything else the wallet saw), then `getrawtransaction` (the mempool, or any transaction
 *    with -txindex);
 * 3. `gettxout txid vout false`: a confirmed coin spent only by a mempool transaction is still in
 *    the chain's UTXO set.
 * What none of them knows is "unknown" (address and amount null), and the fee is then unknown too.
 */
import { SpecterError } from '../../errors/index.js';
import { transactionSizes } from '../../bitcoin/index.js';
import type { Wallet } from '../wallets/index.js';
import type { BatchResult, WalletRpc } from '../nodes/rpc-client.js';
import { RPC_CODES, rpcErrorCode } from '../nodes/rpc-errors.js';
import { btcToSats } from './amounts.js';
import type { Category } from './chain-state.js';
import { draftFromCore, type CoreWalletTx } from './core-tx.js';
import type { TxView } from './tx-view.js';

/** Whose an input or output is: the wallet's receive or change branch, someone else's, or Core cannot tell. */
export type TxOwnership = 'receive' | 'change' | 'external' | 'unknown';

export interface TxInputDetail {
  txid: string;
  vout: number;
  address: string | null;
  /** Satoshis, null when Core cannot tell. */
  amount: number | null;
  ownership: TxOwnership;
}

export interface TxOutputDetail {
  vout: number;
  /** null for outputs without an address (OP_RETURN, bare scripts). */
  address: string | null;
  amount: number;
  ownership: Exclude<TxOwnership, 'unknown'>;
}

export interface TxDetail {
  txid: string;
  category: Category;
  /** Signed flow for the wallet (my outputs − my inputs), satoshis. */
  amount: number;
  /** The transaction's fee (inputs − outputs), satoshis; null when an input's amount is unknown (or a coinbase). */
  fee: number | null;
  /** sat/vB with one decimal, null when the fee is unknown. */
  fee_rate: number | null;
  vsize: number;
  weight: number;
  size: number;
  confirmations: number;
  blockheight: number | null;
  blockhash: string | null;
  /** Unix seconds. */
  time: number;
  label: string | null;
  hex: string;
  coinbase: boolean;
  inputs: TxInputDetail[];
  outputs: TxOutputDetail[];
}

interface ScriptPubKey {
  address?: string;
}

/** What `gettransaction … verbose` answers beyond what sync reads. */
interface CoreDetailTx extends CoreWalletTx {
  hex: string;
  decoded: CoreWalletTx['decoded'] & { size?: number; vsize?: number; weight?: number };
}

interface DecodedTx {
  vout: Array<{ n: number; value: number; scriptPubKey: ScriptPubKey }>;
}

export interface DetailInput {
  rpc: WalletRpc;
  /** getnetworkinfo.version: Core < 30 still takes include_watchonly. */
  version: number;
  wallet: Wallet;
  txid: string;
  /** The stored record as the History shows it (its category, flow and label win), when there is one. */
  stored: TxView | null;
}

type Prevout = { address: string | null; amount: number };

/** Ownership of an address: the wallet's branch, or external. */
export function addressOwnership(wallet: Wallet, address: string | null): Exclude<TxOwnership, 'unknown'> {
  const own = address === null ? undefined : wallet.findAddress(address);
  return own ? (own.change ? 'change' : 'receive') : 'external';
}

/** fee / vsize in sat/vB, one decimal. */
export function feeRate(fee: number | null, vsize: number): number | null {
  if (fee === null || vsize <= 0) return null;
  return Math.round((fee * 10) / vsize) / 10;
}

/** Core answered the lookup with an error (not found, pruned, no txindex): it cannot tell. Anything else (node away) is thrown. */
function cannotTell(err: unknown): boolean {
  return err instanceof SpecterError && err.key === 'RPC_ERROR';
}

function okResult<T>(r: BatchResult<unknown>): T | undefined {
  if (r.ok) return r.result as T;
  if (cannotTell(r.error)) return undefined;
  throw r.error;
}

export async function transactionDetail(input: DetailInput): Promise<TxDetail> {
  const { rpc, wallet, txid } = input;
  const watchonly = input.version < 300000;
  let tx: CoreDetailTx;
  try {
    tx = await rpc.call<CoreDetailTx>('gettransaction', watchonly ? { txid, include_watchonly: true, verbose: true } : { txid, verbose: true });
  } catch (err) {
    if (rpcErrorCode(err) !== RPC_CODES.INVALID_ADDRESS_OR_KEY) throw err;
    throw new SpecterError('NOT_FOUND', `Transaction ${txid} is not one of wallet "${wallet.name}"'s transactions.`, {
      hint: 'Check the transaction id; a payment the node has not seen yet shows after it arrives and the wallet syncs.',
      details: { txid },
    });
  }
  const coinbase = tx.decoded.vin.some((i) => i.coinbase !== undefined);
  const outputs: TxOutputDetail[] = tx.decoded.vout.map((o) => {
    const address = o.scriptPubKey.address ?? null;
    return { vout: o.n, address, amount: btcToSats(o.value), ownership: addressOwnership(wallet, address) };
  });
  const spent = coinbase ? [] : tx.decoded.vin.filter((i) => i.txid !== undefined).map((i) => ({ txid: i.txid!, vout: i.vout ?? 0 }));
  const prevouts = spent.length ? await lookupPrevouts(input, tx, spent) : new Map<string, Prevout>();
  const inputs: TxInputDetail[] = spent.map(({ txid: prev, vout }) => {
    const found = prevouts.get(`${prev}:${vout}`);
    if (!found) return { txid: prev, vout, address: null, amount: null, ownership: 'unknown' };
    return { txid: prev, vout, address: found.address, amount: found.amount, ownership: addressOwnership(wallet, found.address) };
  });

  const sizes =
    tx.decoded.size !== undefined && tx.decoded.vsize !== undefined && tx.decoded.weight !== undefined
      ? { size: tx.decoded.size, vsize: tx.decoded.vsize, weight: tx.decoded.weight }
      : transactionSizes(tx.hex);
  const outTotal = outputs.reduce((s, o) => s + o.amount, 0);
  const fee = coinbase || inputs.some((i) => i.amount === null) ? null : inputs.reduce((s, i) => s + i.amount!, 0) - outTotal;

  const confirmed = tx.confirmations > 0 && tx.blockhash !== undefined;
  const draft = draftFromCore(tx, (a) => wallet.findAddress(a));
  const stored = input.stored;
  return {
    txid: tx.txid,
    category: stored?.category ?? categoryOf(coinbase, inputs, outputs),
    amount: stored?.amount ?? draft.amount,
    fee,
    fee_rate: feeRate(fee, sizes.vsize),
    ...sizes,
    confirmations: Math.max(0, tx.confirmations),
    blockheight: confirmed ? (tx.blockheight ?? null) : null,
    blockhash: confirmed ? tx.blockhash! : null,
    time: stored?.time ?? draft.time,
    label: stored ? stored.label : labelOf(wallet, outputs),
    hex: tx.hex,
    coinbase,
    inputs,
    outputs,
  };
}

/** Specter's categories (core-tx.ts classify) from what the detail knows, for a transaction not synced yet. */
function categoryOf(coinbase: boolean, inputs: TxInputDetail[], outputs: TxOutputDetail[]): Category {
  if (coinbase) return 'generate';
  const mine = inputs.filter((i) => i.ownership === 'receive' || i.ownership === 'change').length;
  if (mine === 0) return 'receive';
  if (mine < inputs.length) return 'mixed';
  return outputs.every((o) => o.ownership !== 'external') ? 'selftransfer' : 'send';
}

/** The label of the wallet's first receiving output (as the History shows it). */
function labelOf(wallet: Wallet, outputs: TxOutputDetail[]): string | null {
  const own = outputs.find((o) => o.ownership === 'receive') ?? outputs.find((o) => o.ownership === 'change');
  return own?.address ? wallet.getAddressInfo(own.address).label : null;
}

async function lookupPrevouts(input: DetailInput, tx: CoreDetailTx, spent: Array<{ txid: string; vout: number }>): Promise<Map<string, Prevout>> {
  const { rpc } = input;
  const found = new Map<string, Prevout>();
  const key = (txid: string, vout: number) => `${txid}:${vout}`;
  const missing = () => spent.filter((s) => !found.has(key(s.txid, s.vout)));

  // 1. Confirmed: the block's undo data has every spent output.
  if (tx.confirmations > 0 && tx.blockhash !== undefined) {
    try {
      const raw = await rpc.client.call<{ vin: Array<{ txid?: string; vout?: number; prevout?: { value: number; scriptPubKey: ScriptPubKey } }> }>(
        'getrawtransaction',
        [tx.txid, 2, tx.blockhash],
      );
      for (const i of raw.vin) {
        if (i.txid !== undefined && i.prevout) {
          found.set(key(i.txid, i.vout ?? 0), { address: i.prevout.scriptPubKey.address ?? null, amount: btcToSats(i.prevout.value) });
        }
      }
    } catch (err) {
      if (!cannotTell(err)) throw err;
    }
  }

  // 2. The previous transactions: the wallet's, then the node's (mempool or txindex).
  const fromTx = (prev: DecodedTx | undefined, txid: string) => {
    if (!prev) return;
    for (const s of spent) {
      if (s.txid !== txid) continue;
      const out = prev.vout.find((o) => o.n === s.vout);
      if (out) found.set(key(s.txid, s.vout), { address: out.scriptPubKey.address ?? null, amount: btcToSats(out.value) });
    }
  };
  const watchonly = input.version < 300000;
  let prevTxids = [...new Set(missing().map((s) => s.txid))];
  if (prevTxids.length) {
    const results = await rpc.batch(
      prevTxids.map((txid) => ({
        method: 'gettransaction',
        params: watchonly ? { txid, include_watchonly: true, verbose: true } : { txid, verbose: true },
      })),
    );
    results.forEach((r, i) => {
      fromTx(okResult<{ decoded: DecodedTx }>(r)?.decoded, prevTxids[i]!);
    });
  }
  prevTxids = [...new Set(missing().map((s) => s.txid))];
  if (prevTxids.length) {
    const results = await rpc.client.batch(prevTxids.map((txid) => ({ method: 'getrawtransaction', params: [txid, 1] })));
    results.forEach((r, i) => {
      fromTx(okResult<DecodedTx>(r), prevTxids[i]!);
    });
  }

  // 3. A confirmed coin spent only in the mempool is still in the chain's UTXO set.
  const left = missing();
  if (left.length && tx.confirmations <= 0) {
    const results = await rpc.client.batch(left.map((s) => ({ method: 'gettxout', params: [s.txid, s.vout, false] })));
    results.forEach((r, i) => {
      const coin = okResult<{ value: number; scriptPubKey: ScriptPubKey } | null>(r);
      if (coin) found.set(key(left[i]!.txid, left[i]!.vout), { address: coin.scriptPubKey.address ?? null, amount: btcToSats(coin.value) });
    });
  }
  return found;
}
