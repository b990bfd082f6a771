/**
 * One sync of one wallet against its Core wallet.
 *
 * - First sync (no last block): page `listtransactions "*" 1000 skip` until a short page.
 * - Later syncs: `listsinceblock <lastblock>` with `include_removed`: cheap, and on a reorg it also
 *   names the transactions of disconnected blocks. A last block Core does not know (another
 *   node) falls back to a full listing.
 * - Every stored unconfirmed transaction is asked again (confirmed, replaced, conflicted), and
 *   `listunspent` catches transactions listtransactions omits (consolidations to change).
 * - The candidates are fetched in batches of `gettransaction` (decoded); a transaction is stored
 *   once, by txid, and replaced or conflicted ones are hidden when listed.
 * - Outputs to addresses the wallet has not derived yet are resolved with `getaddressinfo` (the
 *   key origin gives branch and index); the wallet marks them used, derives GAP_LIMIT past them
 *   and moves its indexes; Core's range is widened to what the wallet derived.
 */
import type { Wallet } from '../wallets/index.js';
import type { WalletRpc } from '../nodes/rpc-client.js';
import { RPC_CODES, rpcErrorCode } from '../nodes/rpc-errors.js';
import type { ChainState, TxRecord } from './chain-state.js';
import { classify, draftFromCore, type CoreWalletTx, type TxDraft } from './core-tx.js';
import { ensureCoreRange } from './core-link.js';

export const LIST_PAGE = 1000;
const BATCH = 250;

export interface SyncOutcome {
  /** Transactions seen for the first time. */
  added: TxRecord[];
  /** Stored transactions whose data changed (confirmed, reorged, replaced, …). */
  changed: TxRecord[];
  /** Whether the state needs saving. */
  dirty: boolean;
  /** Addresses marked used by this sync. */
  newlyUsed: string[];
  full: boolean;
}

interface SyncInput {
  rpc: WalletRpc;
  /** getnetworkinfo.version: Core < 30 still takes include_watchonly. */
  version: number;
  wallet: Wallet;
  state: ChainState;
}

/** Branch and index from a key origin `[fingerprint/…/branch/index]` in getaddressinfo's desc. */
export function originIndex(desc: string | undefined): { change: boolean; index: number } | undefined {
  const m = desc ? /\[[0-9a-fA-F]{8}((?:\/\d+['h]?)+)\]/.exec(desc) : null;
  if (!m) return undefined;
  const parts = m[1]!.split('/').slice(1);
  if (parts.length < 2) return undefined;
  const [branch, index] = parts.slice(-2);
  if (!/^\d+$/.test(branch!) || !/^\d+$/.test(index!) || (branch !== '0' && branch !== '1')) return undefined;
  return { change: branch === '1', index: Number(index) };
}

async function listAll(input: SyncInput): Promise<Set<string>> {
  const txids = new Set<string>();
  const watchonly = input.version < 300000;
  for (let skip = 0; ; skip += LIST_PAGE) {
    const params: unknown[] = ['*', LIST_PAGE, skip];
    if (watchonly) params.push(true);
    const page = await input.rpc.call<Array<{ txid: string }>>('listtransactions', params, { timeoutMs: 300_000 });
    for (const e of page) txids.add(e.txid);
    if (page.length < LIST_PAGE) return txids;
  }
}

interface SinceBlock {
  transactions: Array<{ txid: string }>;
  removed?: Array<{ txid: string }>;
  lastblock: string;
}

export async function syncWallet(input: SyncInput): Promise<SyncOutcome> {
  const { rpc, wallet, state } = input;
  const candidates = new Set<string>();
  let lastblock: string;
  let full = state.lastblock === null;
  if (!full) {
    try {
      const named =
        input.version < 300000
          ? { blockhash: state.lastblock, target_confirmations: 1, include_watchonly: true, include_removed: true }
          : { blockhash: state.lastblock, target_confirmations: 1, include_removed: true };
      const since = await rpc.call<SinceBlock>('listsinceblock', named, { timeoutMs: 300_000 });
      for (const t of since.transactions) candidates.add(t.txid);
      for (const t of since.removed ?? []) candidates.add(t.txid);
      lastblock = since.lastblock;
    } catch (err) {
      if (rpcErrorCode(err) !== RPC_CODES.INVALID_ADDRESS_OR_KEY) throw err;
      full = true;
    }
  }
  if (full) {
    // The tip before listing: a block found meanwhile is listed again next time, never skipped.
    lastblock = await rpc.client.call<string>('getbestblockhash');
    for (const txid of await listAll(input)) candidates.add(txid);
    // A full listing also re-checks what is stored: what Core no longer has (-5) is dropped.
    for (const txid of Object.keys(state.txs)) candidates.add(txid);
  }
  for (const tx of Object.values(state.txs)) if (tx.blockhash === null) candidates.add(tx.txid);
  const unspent = await rpc.call<Array<{ txid: string }>>('listunspent', [0]);
  for (const u of unspent) if (!state.txs[u.txid]) candidates.add(u.txid);

  const fetched = await fetchTransactions(input, [...candidates]);
  const gone = [...candidates].filter((txid) => !fetched.has(txid) && state.txs[txid]);

  // Outputs to addresses the wallet has not derived yet: ask Core whose they are.
  const unknown = new Set<string>();
  for (const tx of fetched.values()) {
    for (const o of tx.decoded.vout) {
      const a = o.scriptPubKey.address;
      if (a !== undefined && !wallet.findAddress(a)) unknown.add(a);
    }
  }
  const seen: Array<{ address: string; change: boolean; index: number }> = [];
  if (unknown.size) {
    const list = [...unknown];
    const infos = await rpc.batch(list.map((address) => ({ method: 'getaddressinfo', params: [address] })));
    infos.forEach((r, i) => {
      if (!r.ok) return;
      const info = r.result as { ismine?: boolean; desc?: string };
      const origin = info.ismine ? originIndex(info.desc) : undefined;
      if (origin) seen.push({ address: list[i]!, ...origin });
    });
  }
  for (const tx of fetched.values()) {
    for (const o of tx.decoded.vout) {
      const at = o.scriptPubKey.address === undefined ? undefined : wallet.findAddress(o.scriptPubKey.address);
      if (at) seen.push({ address: o.scriptPubKey.address!, change: at.change, index: at.index });
    }
  }
  const newlyUsed = seen.length ? await wallet.applyChainUsage(seen) : [];
  if (newlyUsed.length) await ensureCoreRange(rpc, wallet);

  const drafts: TxDraft[] = [...fetched.values()].map((tx) => draftFromCore(tx, (a) => wallet.findAddress(a)));
  // Which unconfirmed ones the mempool holds: a payment replaced by its sender stays in this
  // wallet without replaced_by, and the history shows the one that can still confirm.
  const pending = drafts.filter((d) => d.blockhash === null && !d.conflicted);
  if (pending.length) {
    const entries = await rpc.client.batch(pending.map((d) => ({ method: 'getmempoolentry', params: [d.txid] })));
    entries.forEach((r, i) => {
      pending[i]!.in_mempool = r.ok;
    });
  }
  const byTxid = new Map<string, { outputs: TxRecord['outputs'] }>(Object.entries(state.txs));
  for (const d of drafts) byTxid.set(d.txid, d);
  const ownsOutpoint = (outpoint: string): boolean => {
    const i = outpoint.lastIndexOf(':');
    return !!byTxid.get(outpoint.slice(0, i))?.outputs.some((o) => o.vout === Number(outpoint.slice(i + 1)));
  };
  const added: TxRecord[] = [];
  const changed: TxRecord[] = [];
  for (const d of drafts) {
    const record = classify(d, ownsOutpoint);
    const before = state.txs[d.txid];
    if (!before) added.push(record);
    else if (JSON.stringify(before) !== JSON.stringify(record)) changed.push(record);
    else continue;
    state.txs[d.txid] = record;
  }
  for (const txid of gone) delete state.txs[txid];

  let dirty = added.length > 0 || changed.length > 0 || gone.length > 0;
  if (state.lastblock !== lastblock!) {
    state.lastblock = lastblock!;
    const header = await rpc.client.call<{ height: number }>('getblockheader', [lastblock!]);
    state.tip_height = header.height;
    dirty = true;
  }
  // Frozen coins that were spent are not frozen any more.
  if (state.frozen.length) {
    const spent = new Set(
      Object.values(state.txs)
        .filter((t) => !t.conflicted && t.replaced_by === null)
        .flatMap((t) => t.inputs),
    );
    const kept = state.frozen.filter((o) => !spent.has(o));
    if (kept.length !== state.frozen.length) {
      state.frozen = kept;
      dirty = true;
    }
  }
  return { added, changed, dirty, newlyUsed, full };
}

async function fetchTransactions(input: SyncInput, txids: string[]): Promise<Map<string, CoreWalletTx>> {
  const out = new Map<string, CoreWalletTx>();
  const watchonly = input.version < 300000;
  for (let i = 0; i < txids.length; i += BATCH) {
    const chunk = txids.slice(i, i + BATCH);
    const results = await input.rpc.batch(
      chunk.map((txid) => ({
        method: 'gettransaction',
        params: watchonly ? { txid, include_watchonly: true, verbose: true } : { txid, verbose: true },
      })),
      { timeoutMs: 300_000 },
    );
    results.forEach((r, j) => {
      if (r.ok) out.set(chunk[j]!, r.result as CoreWalletTx);
      // -5: no longer a wallet transaction (e.g. abandoned and purged); anything else is a real failure.
      else if (rpcErrorCode(r.error) !== RPC_CODES.INVALID_ADDRESS_OR_KEY) throw r.error;
    });
  }
  return out;
}
