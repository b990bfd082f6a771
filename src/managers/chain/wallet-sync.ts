/**
 * One sync of one wallet against its Core wallet.
 *
 * - First sync (no last block): page `listtransactions "*" 1000 skip` until a short page.
 * - Later syncs: `listsinceblock <lastblock>` with `include_removed`: cheap, and on a reorg it also
 *   names the transactions of disconnected blocks. A last block Core does not know (another
 *   node) falls back to a full listing.
 * - Every stored unconfirmed transaction is asked again (confirmed, replaced, conflicted).
 * - Consolidations (paying only change) are listed by listsinceblock's include_change; a full
 *   listing (listtransactions has no such option) is checked against Core's balance, and only
 *   when they differ does `listunspent` name what is missing.
 * - The candidates are fetched in batches of `gettransaction` (decoded); a transaction is stored
 *   once, by txid, and replaced or conflicted ones are hidden when listed.
 * - Outputs to addresses the wallet has not derived yet are resolved with `getaddressinfo` (the
 *   key origin gives branch and index); the wallet marks them used, derives GAP_LIMIT past them
 *   and moves its indexes; Core's range is widened to what the wallet derived.
 */
import type { Wallet } from '../wallets/index.js';
import type { WalletRpc } from '../nodes/rpc-client.js';
import { RPC_CODES, rpcErrorCode } from '../nodes/rpc-errors.js';
import { btcToSats } from './amounts.js';
import { visibleTransactions, type ChainState, type TxRecord } from './chain-state.js';
import { classify, draftFromCore, draftFromListing, listingSuffices, type CoreListEntry, type CoreWalletTx, type TxDraft } from './core-tx.js';
import { ensureCoreRange } from './core-link.js';

export const LIST_PAGE = 1000;
const BATCH = 250;

export interface SyncOutcome {
  /** Transactions seen for the first time. */
  added: TxRecord[];
  /** Stored transactions whose data changed (confirmed, reorged, replaced, …). */
  changed: TxRecord[];
  /** Stored transactions Core no longer has. */
  removed: string[];
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

/** The listing entries of each transaction, by txid (an entry read twice across pages counts once). */
type Listing = Map<string, CoreListEntry[]>;

function addEntries(listing: Listing, entries: readonly CoreListEntry[]): void {
  for (const e of entries) {
    const list = listing.get(e.txid);
    if (!list) listing.set(e.txid, [e]);
    else if (!list.some((x) => x.category === e.category && x.vout === e.vout)) list.push(e);
  }
}

async function listAll(input: SyncInput, listing: Listing): Promise<void> {
  const watchonly = input.version < 300000;
  for (let skip = 0; ; skip += LIST_PAGE) {
    const params: unknown[] = ['*', LIST_PAGE, skip];
    if (watchonly) params.push(true);
    const page = await input.rpc.call<CoreListEntry[]>('listtransactions', params, { timeoutMs: 300_000 });
    addEntries(listing, page);
    if (page.length < LIST_PAGE) return;
  }
}

interface SinceBlock {
  transactions: CoreListEntry[];
  removed?: Array<{ txid: string }>;
  lastblock: string;
}

export async function syncWallet(input: SyncInput): Promise<SyncOutcome> {
  const { rpc, state } = input;
  const listing: Listing = new Map();
  /** Transactions that must be fetched with gettransaction whatever their listing says. */
  const recheck = new Set<string>();
  let lastblock: string;
  let full = state.lastblock === null;
  if (!full) {
    try {
      // include_change: a transaction paying only the wallet's change (a consolidation) is listed too.
      const named =
        input.version < 300000
          ? { blockhash: state.lastblock, target_confirmations: 1, include_watchonly: true, include_removed: true, include_change: true }
          : { blockhash: state.lastblock, target_confirmations: 1, include_removed: true, include_change: true };
      const since = await rpc.call<SinceBlock>('listsinceblock', named, { timeoutMs: 300_000 });
      addEntries(listing, since.transactions);
      for (const t of since.removed ?? []) recheck.add(t.txid);
      lastblock = since.lastblock;
    } catch (err) {
      if (rpcErrorCode(err) !== RPC_CODES.INVALID_ADDRESS_OR_KEY) throw err;
      full = true;
    }
  }
  if (full) {
    // The tip before listing: a block found meanwhile is listed again next time, never skipped.
    lastblock = await rpc.client.call<string>('getbestblockhash');
    await listAll(input, listing);
    // A full listing also re-checks what is stored: what Core no longer has (-5) is dropped.
    for (const txid of Object.keys(state.txs)) if (!listing.has(txid)) recheck.add(txid);
  }
  for (const tx of Object.values(state.txs)) if (tx.blockhash === null) recheck.add(tx.txid);
  // The tip's height before anything is stored: pages read the state while a sync runs, and a
  // transaction stored with the old tip would show as unconfirmed (confirmations count from it).
  const tipHeight = (await rpc.client.call<{ height: number }>('getblockheader', [lastblock!])).height;
  const outcome: SyncOutcome = { added: [], changed: [], removed: [], dirty: false, newlyUsed: [], full };
  await absorb(input, listing, recheck, outcome, tipHeight);
  // listtransactions has no include_change: a consolidation is missing from a full listing. When
  // the coins the history leaves unspent do not add up to Core's balance, its unspent outputs name
  // what is missing (rarely needed, and listunspent of a big wallet is not cheap).
  if (full && (await unspentTotal(rpc)) !== keptTotal(state)) {
    const unspent = await rpc.call<Array<{ txid: string }>>('listunspent', [0]);
    const missing = new Set(unspent.map((u) => u.txid).filter((txid) => !state.txs[txid]));
    if (missing.size) {
      // What spends a coin of a missing one was read without knowing that coin was the wallet's.
      const spendsMissing = (outpoint: string) => missing.has(outpoint.slice(0, outpoint.lastIndexOf(':')));
      const dependents = Object.values(state.txs).filter((t) => t.inputs.some(spendsMissing));
      await absorb(input, new Map(), new Set([...missing, ...dependents.map((t) => t.txid)]), outcome, tipHeight);
    }
  }

  outcome.dirty ||= outcome.added.length > 0 || outcome.changed.length > 0 || outcome.removed.length > 0;
  if (state.lastblock !== lastblock!) {
    state.lastblock = lastblock!;
    state.tip_height = tipHeight;
    outcome.dirty = true;
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
      outcome.dirty = true;
    }
  }
  return outcome;
}

/** Core's idea of the wallet's unspent coins (getbalances.mine: trusted + pending + immature), in satoshis. */
async function unspentTotal(rpc: WalletRpc): Promise<number> {
  const b = await rpc.call<{ mine: { trusted: number; untrusted_pending: number; immature: number } }>('getbalances');
  return btcToSats(b.mine.trusted) + btcToSats(b.mine.untrusted_pending) + btcToSats(b.mine.immature);
}

/** The same from the stored history: the wallet's outputs no shown transaction spends. */
function keptTotal(state: ChainState): number {
  const shown = visibleTransactions(state);
  const spent = new Set(shown.flatMap((t) => t.inputs));
  let total = 0;
  for (const t of shown) for (const o of t.outputs) if (!spent.has(`${t.txid}:${o.vout}`)) total += o.amount;
  return total;
}

/**
 * Stores what Core says about these transactions: the listed ones whose entries suffice straight
 * from the listing, the rest (and `recheck`) through gettransaction. Marks output addresses used
 * (resolving ones the wallet has not derived yet), classifies, and records in `outcome` what was
 * added, changed and dropped.
 */
async function absorb(input: SyncInput, listing: Listing, recheck: Set<string>, outcome: SyncOutcome, tipHeight: number): Promise<void> {
  const { rpc, wallet, state } = input;
  const fromListing: Array<readonly CoreListEntry[]> = [];
  for (const [txid, entries] of listing) {
    if (recheck.has(txid)) continue;
    if (listingSuffices(entries)) fromListing.push(entries);
    else recheck.add(txid);
  }
  const fetched = await fetchTransactions(input, [...recheck]);
  const gone = [...recheck].filter((txid) => !fetched.has(txid) && state.txs[txid]);

  // Outputs to addresses the wallet has not derived yet: ask Core whose they are.
  const outputAddresses: string[] = [];
  for (const entries of fromListing) for (const e of entries) outputAddresses.push(e.address!);
  for (const tx of fetched.values())
    for (const o of tx.decoded.vout) if (o.scriptPubKey.address !== undefined) outputAddresses.push(o.scriptPubKey.address);
  const unknown = [...new Set(outputAddresses.filter((a) => !wallet.findAddress(a)))];
  const seen: Array<{ address: string; change: boolean; index: number }> = [];
  if (unknown.length) {
    const infos = await rpc.batch(unknown.map((address) => ({ method: 'getaddressinfo', params: [address] })));
    infos.forEach((r, i) => {
      if (!r.ok) return;
      const info = r.result as { ismine?: boolean; desc?: string };
      const origin = info.ismine ? originIndex(info.desc) : undefined;
      if (origin) seen.push({ address: unknown[i]!, ...origin });
    });
  }
  for (const address of new Set(outputAddresses)) {
    const at = wallet.findAddress(address);
    if (at) seen.push({ address, change: at.change, index: at.index });
  }
  const newlyUsed = seen.length ? await wallet.applyChainUsage(seen) : [];
  if (newlyUsed.length) {
    await ensureCoreRange(rpc, wallet);
    outcome.newlyUsed.push(...newlyUsed);
  }

  const owner = (a: string) => wallet.findAddress(a);
  const drafts: TxDraft[] = [
    ...fromListing.map((entries) => draftFromListing(entries, owner)),
    ...[...fetched.values()].map((tx) => draftFromCore(tx, owner)),
  ];
  // Which unconfirmed ones the mempool holds: a payment replaced by its sender stays in this
  // wallet without replaced_by, and the history shows the one that can still confirm.
  const pending = drafts.filter((d) => d.blockhash === null && !d.conflicted);
  if (pending.length) {
    const entries = await rpc.client.batch(pending.map((d) => ({ method: 'getmempoolentry', params: [d.txid] })));
    entries.forEach((r, i) => {
      pending[i]!.in_mempool = r.ok;
    });
  }
  const draftOf = new Map(drafts.map((d) => [d.txid, d]));
  const ownsOutpoint = (outpoint: string): boolean => {
    const i = outpoint.lastIndexOf(':');
    const txid = outpoint.slice(0, i);
    const vout = Number(outpoint.slice(i + 1));
    return !!(draftOf.get(txid) ?? state.txs[txid])?.outputs.some((o) => o.vout === vout);
  };
  // From here to the end nothing awaits: readers see the records with the tip they were read at.
  if (drafts.length || gone.length) state.tip_height = tipHeight;
  for (const d of drafts) {
    const record = classify(d, ownsOutpoint);
    const before = state.txs[d.txid];
    if (!before) outcome.added.push(record);
    else if (JSON.stringify(before) === JSON.stringify(record)) continue;
    else if (outcome.added.length && before === outcome.added.find((r) => r.txid === d.txid)) outcome.added[outcome.added.indexOf(before)] = record;
    else outcome.changed.push(record);
    state.txs[d.txid] = record;
  }
  for (const txid of gone) delete state.txs[txid];
  outcome.removed.push(...gone);
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
