/**
 * What the chain layer keeps per wallet: the transactions seen (Specter's categories, amounts in
 * satoshis), the last synced block, the frozen UTXOs and the Core wallet it is linked to, and
 * which of the transactions a history shows. Where it is stored: chain-store.ts.
 */
import { z } from 'zod';
import { isNetworkName, type NetworkName } from '../../bitcoin/index.js';

export const CATEGORIES = ['receive', 'send', 'selftransfer', 'generate', 'mixed'] as const;
export type Category = (typeof CATEGORIES)[number];

const sats = z.number().int().refine(Number.isSafeInteger);
const height = z.number().int().nonnegative();

/** One of the wallet's own outputs in a transaction. */
const ownOutputSchema = z.object({ vout: height, address: z.string(), amount: sats, change: z.boolean() });

export const txRecordSchema = z.object({
  txid: z.string().regex(/^[0-9a-f]{64}$/),
  category: z.enum(CATEGORIES),
  /** Signed flow: my outputs − my inputs (fee included), satoshis. */
  amount: sats,
  /** Fee in satoshis when every input is the wallet's (send, selftransfer), else null. */
  fee: sats.nullable(),
  blockhash: z.string().nullable(),
  blockheight: height.nullable(),
  /** Unix seconds: the earliest of Core's time, timereceived and blocktime. */
  time: height,
  /** Core's confirmations were negative: a conflicting transaction is confirmed. */
  conflicted: z.boolean(),
  /** Core's replaced_by_txid (BIP125 replacement seen by this node). */
  replaced_by: z.string().nullable(),
  /** Unconfirmed: whether the node's mempool holds it (a replaced one it received is not); null when confirmed. */
  in_mempool: z.boolean().nullable().default(null),
  /** Core's walletconflicts. */
  conflicts: z.array(z.string()),
  /** Receive-like: the wallet's receiving outputs; send: the external outputs. */
  addresses: z.array(z.string()),
  outputs: z.array(ownOutputSchema),
  /** Spent outpoints, "txid:vout": kept while unconfirmed and when the wallet spends; a confirmed receive keeps none. */
  inputs: z.array(z.string()),
  coinbase: z.boolean(),
});
export type TxRecord = z.infer<typeof txRecordSchema>;

export const chainStateSchema = z.object({
  version: z.literal(1),
  /** The chain the wallet was synced against ("regtest", "main", …): a node of another chain starts over. */
  chain: z.string(),
  network: z.custom<NetworkName>(isNetworkName),
  /** The Core wallet name (`specter<uid>/<alias>`). */
  core_wallet: z.string(),
  /** Block hash listsinceblock continues from; null before the first full sync. */
  lastblock: z.string().nullable(),
  /** Tip height at the last sync (confirmations are counted from it). */
  tip_height: height.nullable(),
  txs: z.record(z.string(), txRecordSchema),
  /** Frozen UTXOs, "txid:vout" (re-locked on Core after each restart). */
  frozen: z.array(z.string()),
});
export type ChainState = z.infer<typeof chainStateSchema>;

export function emptyChainState(chain: string, network: NetworkName, coreWallet: string): ChainState {
  return { version: 1, chain, network, core_wallet: coreWallet, lastblock: null, tip_height: null, txs: {}, frozen: [] };
}

/**
 * The transactions to show: each once, without the ones that lost a conflict. Conflicted (Core's
 * negative confirmations) and replaced ones (replaced_by known) go; among unconfirmed
 * transactions spending one same output (a replacement this wallet only received, for which
 * Core sets no replaced_by), the confirmed one wins, else the one in the mempool, else the newest
 * (Specter's rule).
 */
export function visibleTransactions(state: ChainState): TxRecord[] {
  const all = Object.values(state.txs).filter((t) => !t.conflicted && !(t.replaced_by !== null && state.txs[t.replaced_by]));
  const bySpend = new Map<string, TxRecord[]>();
  for (const t of all) {
    for (const input of t.inputs) {
      const list = bySpend.get(input);
      if (list) list.push(t);
      else bySpend.set(input, [t]);
    }
  }
  const losers = new Set<string>();
  const rank = (t: TxRecord): [number, number, string] => [t.blockheight !== null ? 2 : t.in_mempool ? 1 : 0, t.time, t.txid];
  for (const group of bySpend.values()) {
    if (group.length < 2) continue;
    const winner = group.reduce((best, t) => {
      const [a, b] = [rank(t), rank(best)];
      return a[0] !== b[0] ? (a[0] > b[0] ? t : best) : a[1] !== b[1] ? (a[1] > b[1] ? t : best) : a[2] > b[2] ? t : best;
    });
    for (const t of group) if (t !== winner) losers.add(t.txid);
  }
  return all.filter((t) => !losers.has(t.txid));
}
