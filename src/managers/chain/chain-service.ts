/**
 * ChainService: what the server calls for chain data of a user's wallet. It links the wallet to
 * its Core wallet on the active node (core-link.ts), syncs it (wallet-sync.ts), keeps its chain
 * state (chain-state.ts) and answers balances, history, UTXOs, freezing and rescans.
 *
 * - One state per wallet in memory, loaded from its store on first use; per wallet, operations
 *   run one after the other, and concurrent sync() calls share one run.
 * - Background syncs on new blocks: chain-watcher.ts.
 * - After each sync with new or changed transactions, `onSynced` gets them (the app turns this
 *   into the extensions' `wallet_synced` callback); its failures never fail the sync.
 */
import { SpecterError } from '../../errors/index.js';
import type { Logger } from '../../log/index.js';
import type { JsonFileStore } from '../../persistence/index.js';
import type { NodeManager } from '../nodes/node-manager.js';
import { unloadCoreWallet } from '../nodes/core-wallets.js';
import type { WalletRpc } from '../nodes/rpc-client.js';
import type { Wallet, WalletManager } from '../wallets/index.js';
import { balances, listUtxos, relockFrozen, setFrozen, type Balances, type Utxo } from './coins.js';
import { visibleTransactions, type ChainState, type TxRecord } from './chain-state.js';
import type { ChainStateStore } from './chain-store.js';
import type { ChainUser } from './core-link.js';
import { syncWallet } from './wallet-sync.js';
import { ChainWatcher } from './chain-watcher.js';
import { WalletLinks, type ChainHooks, type WalletEntry } from './wallet-links.js';
import { syncedEvent, txLabel, txView, type TxView, type WalletSyncedEvent } from './tx-view.js';
import { pullCoreLabels } from './core-labels.js';
import { checkPage, sortHistory, type HistoryPage } from './history-sort.js';
import { transactionDetail, type TxDetail } from './tx-detail.js';
import type { NodeInfo } from '../nodes/core-wallets.js';

export type { SyncedOutput, TxView, WalletSyncedEvent } from './tx-view.js';
export type { ChainHooks } from './wallet-links.js';

export interface ChainServiceOptions {
  nodes: NodeManager;
  /** The user's wallet manager (Specter's walletsOf). */
  walletsOf(user: ChainUser): WalletManager;
  /** Every user, for the first sync of all wallets once a node answers. */
  users?: () => ChainUser[];
  store: JsonFileStore;
  logger: Logger;
  /** After a sync that found new or changed transactions. */
  onSynced?: (event: WalletSyncedEvent) => unknown;
  /** Another store backend (tests, a database later). */
  stateStore?: (walletsFolder: string, alias: string) => ChainStateStore;
  /** Layers above that keep coins of a wallet locked on Core (the send flow): see {@link ChainHooks}. */
  hooks?: ChainHooks;
}

export interface SyncResult {
  wallet: string;
  added: number;
  changed: number;
  full: boolean;
  lastblock: string | null;
  tipHeight: number | null;
  newlyUsed: string[];
}

export interface RescanStatus {
  active: boolean;
  /** 0…1 while active. */
  progress: number | null;
  /** Seconds since the rescan started. */
  duration: number | null;
}

const BALANCE_CACHE_MS = 30_000;
/**
 * History pages kept per wallet (the most recently asked), and the largest page kept: pages as
 * people view them, not the API's 1,000-row pages or the search's chunks, which would push them out.
 */
const HISTORY_PAGES_KEPT = 8;
const HISTORY_PAGE_KEPT_ROWS = 100;

/**
 * A page of the History and the total. A kept page is handed to every caller until something it
 * shows changes, so callers must not change it (which lets the server keep what it made of it, by
 * identity, for as long).
 */
export interface HistorySlice {
  readonly total: number;
  readonly transactions: readonly TxView[];
}

export class ChainService {
  readonly #links: WalletLinks;
  readonly #watcher: ChainWatcher;

  constructor(private readonly options: ChainServiceOptions) {
    this.#links = new WalletLinks(options);
    this.#watcher = new ChainWatcher(this, options);
  }

  /** Make sure the wallet has its watch-only wallet on the active node (importing it if new). */
  async link(user: ChainUser, alias: string): Promise<{ coreWallet: string; chain: string }> {
    const { wallet, entry } = await this.#links.wallet(user, alias);
    return this.#links.exclusive(entry, async () => {
      const { state } = await this.#links.linked(entry, wallet);
      return { coreWallet: state.core_wallet, chain: state.chain };
    });
  }

  /** Sync now; answers when done. Concurrent calls for one wallet share one run. */
  async sync(user: ChainUser, alias: string): Promise<SyncResult> {
    const { wallet, entry } = await this.#links.wallet(user, alias);
    entry.running ??= this.#links
      .exclusive(entry, () => this.runSync(entry, wallet))
      .finally(() => {
        entry.running = undefined;
      });
    return entry.running;
  }

  private async runSync(entry: WalletEntry, wallet: Wallet): Promise<SyncResult> {
    const { rpc, state, info } = await this.#links.linked(entry, wallet);
    if (state.frozen.length) await relockFrozen(rpc, state);
    const outcome = await syncWallet({ rpc, version: info.version, wallet, state });
    // Other holders of the wallet's coins (the send flow's pending PSBTs) look at what the sync saw.
    await this.options.hooks?.afterSync?.({ rpc, user: entry.user, alias: entry.alias });
    if (outcome.full)
      await pullCoreLabels(rpc, wallet).catch((err) => this.options.logger.info({ err, wallet: entry.alias }, 'labels not read from the node'));
    // Anything Core told us may move balances (a mempool payment without a stored change too):
    // the cache starts over, with the balances asked now so the next page does not ask.
    entry.cache = undefined;
    if (outcome.dirty) await entry.store.save(state, { put: [...outcome.added, ...outcome.changed], removed: outcome.removed });
    await this.refreshBalances(entry, rpc, state);
    if ((outcome.added.length || outcome.changed.length) && this.options.onSynced) {
      const event = syncedEvent(entry.user.id, entry.alias, wallet, state, outcome.added, outcome.changed);
      try {
        await this.options.onSynced(event);
      } catch (err) {
        this.options.logger.warn({ err, wallet: entry.alias }, 'wallet_synced listener failed');
      }
    }
    return {
      wallet: entry.alias,
      added: outcome.added.length,
      changed: outcome.changed.length,
      full: outcome.full,
      lastblock: state.lastblock,
      tipHeight: state.tip_height,
      newlyUsed: outcome.newlyUsed,
    };
  }

  /**
   * The wallet's transactions, newest first (unconfirmed on top), a page of them and the total.
   * Read from the stored state: works while the node is away. Replaced and conflicted
   * transactions are left out (the replacement shows instead).
   */
  async transactions(
    user: ChainUser,
    alias: string,
    page: { from?: number; count?: number } = {},
  ): Promise<{ total: number; transactions: TxView[] }> {
    const from = page.from ?? 0;
    const count = page.count ?? 50;
    for (const [field, value, max] of [
      ['from', from, Number.MAX_SAFE_INTEGER],
      ['count', count, 1000],
    ] as const) {
      if (!Number.isSafeInteger(value) || value < 0 || value > max) {
        throw new SpecterError('VALIDATION', `${field} must be a whole number from 0 to ${max}, got ${String(value)}.`, { details: { field } });
      }
    }
    const { wallet, entry } = await this.#links.wallet(user, alias);
    const state = entry.state ?? (entry.state = await this.#links.loadState(entry));
    if (!state) return { total: 0, transactions: [] };
    const visible = this.sortedVisible(entry, state);
    return { total: visible.length, transactions: visible.slice(from, from + count).map((t) => txView(t, state, wallet)) };
  }

  /**
   * Core's balances (getbalances), kept until the state changes or BALANCE_CACHE_MS pass. A cached
   * answer does not wait behind a running sync (pages never wait for one); the sync refreshes it.
   */
  async balance(user: ChainUser, alias: string): Promise<Balances> {
    const { wallet, entry } = await this.#links.wallet(user, alias);
    const cached = entry.state && entry.cache?.state === entry.state ? entry.cache.balances : undefined;
    if (cached) return cached;
    return this.#links.exclusive(entry, async () => {
      const { rpc, state } = await this.#links.linked(entry, wallet);
      return entry.cache?.state === state && entry.cache.balances ? entry.cache.balances : this.refreshBalances(entry, rpc, state);
    });
  }

  private async refreshBalances(entry: WalletEntry, rpc: WalletRpc, state: ChainState): Promise<Balances> {
    const fresh = await balances(rpc, state);
    const cache = entry.cache?.state === state ? entry.cache : (entry.cache = { state });
    cache.balances = fresh;
    // Bounded, so a change Core saw without a sync (a lock set by hand) shows within a while.
    setTimeout(() => {
      if (entry.cache === cache) cache.balances = undefined;
    }, BALANCE_CACHE_MS).unref();
    return fresh;
  }

  /** The visible transactions, newest first (cached until the state changes). */
  private sortedVisible(entry: WalletEntry, state: ChainState): TxRecord[] {
    if (entry.cache?.state === state && entry.cache.sorted) return entry.cache.sorted;
    const visible = visibleTransactions(state);
    // Plain comparisons: localeCompare is far slower and the txid order only breaks ties.
    visible.sort(
      (a, b) => (b.blockheight ?? Infinity) - (a.blockheight ?? Infinity) || b.time - a.time || (a.txid < b.txid ? 1 : a.txid > b.txid ? -1 : 0),
    );
    const cache = entry.cache?.state === state ? entry.cache : (entry.cache = { state });
    cache.sorted = visible;
    return visible;
  }

  async utxos(user: ChainUser, alias: string): Promise<Utxo[]> {
    const { wallet, entry } = await this.#links.wallet(user, alias);
    return this.#links.exclusive(entry, async () => {
      const { rpc, state } = await this.#links.linked(entry, wallet);
      return listUtxos(rpc, state);
    });
  }

  /** Freeze (or unfreeze) outputs "txid:vout"; persisted and locked on Core. */
  async freeze(user: ChainUser, alias: string, outpoints: readonly string[], frozen = true): Promise<string[]> {
    const { wallet, entry } = await this.#links.wallet(user, alias);
    return this.#links.exclusive(entry, async () => {
      const { rpc, state } = await this.#links.linked(entry, wallet);
      const done = await setFrozen(rpc, state, outpoints, frozen);
      entry.cache = undefined;
      await entry.store.save(state, { put: [], removed: [] });
      return done;
    });
  }

  /** Set an address label in the wallet, and on Core (`setlabel`) when a node is there (best effort). */
  async setLabel(user: ChainUser, alias: string, address: string, label: string | null): Promise<ReturnType<Wallet['getAddressInfo']>> {
    const { wallet, entry } = await this.#links.wallet(user, alias);
    const info = await wallet.setLabel(address, label);
    const coreWallet = entry.state?.core_wallet ?? (await this.#links.loadState(entry))?.core_wallet;
    if (coreWallet) {
      try {
        await (await this.options.nodes.client()).wallet(coreWallet).call('setlabel', [info.address, info.label], { timeoutMs: 10_000 });
      } catch (err) {
        this.options.logger.info({ err, wallet: alias }, 'label not mirrored to the node');
      }
    }
    return info;
  }

  /**
   * Rescan the Core wallet from a block height, then sync from scratch; answers when done.
   * Progress: rescanStatus(); abort: abortRescan().
   */
  async rescan(user: ChainUser, alias: string, fromHeight: number): Promise<SyncResult> {
    if (!Number.isSafeInteger(fromHeight) || fromHeight < 0) {
      throw new SpecterError('VALIDATION', `The rescan height must be a block height (0 or more), got ${String(fromHeight)}.`, {
        details: { field: 'from_height' },
      });
    }
    const { wallet, entry } = await this.#links.wallet(user, alias);
    if (entry.rescanning) {
      throw new SpecterError('RESCAN_RUNNING', `A rescan of wallet "${wallet.name}" is already running.`, {
        hint: 'Wait for it to finish, or abort it.',
      });
    }
    entry.rescanning = true;
    try {
      return await this.#links.exclusive(entry, async () => {
        const { rpc, state } = await this.#links.linked(entry, wallet);
        await rpc.call('rescanblockchain', [fromHeight], { timeoutMs: 24 * 3_600_000 });
        state.lastblock = null;
        return this.runSync(entry, wallet);
      });
    } finally {
      entry.rescanning = false;
    }
  }

  async rescanStatus(user: ChainUser, alias: string): Promise<RescanStatus> {
    const { entry } = await this.#links.wallet(user, alias);
    const state = entry.state ?? (await this.#links.loadState(entry));
    if (!state) return { active: false, progress: null, duration: null };
    const info = await (await this.options.nodes.client())
      .wallet(state.core_wallet)
      .call<{ scanning: false | { progress: number; duration: number } }>('getwalletinfo');
    return info.scanning
      ? { active: true, progress: info.scanning.progress, duration: info.scanning.duration }
      : { active: false, progress: null, duration: null };
  }

  /** Ask Core to stop a running rescan; false when none was running. */
  async abortRescan(user: ChainUser, alias: string): Promise<boolean> {
    const { entry } = await this.#links.wallet(user, alias);
    const state = entry.state ?? (await this.#links.loadState(entry));
    if (!state) return false;
    return (await this.options.nodes.client()).wallet(state.core_wallet).call<boolean>('abortrescan');
  }

  /**
   * The wallet was (or is being) deleted: unload its Core wallet (best effort; its files stay in
   * Core's wallet folder) and drop its chain state. Call it next to WalletManager.remove().
   */
  async forget(user: ChainUser, alias: string): Promise<void> {
    const key = this.#links.key(user, alias);
    const entry = this.#links.get(key) ?? this.#links.entry(user, alias, this.options.walletsOf(user));
    const store = entry.store;
    const state = entry.state ?? (await store.load().catch(() => undefined));
    this.#links.forget(key);
    if (state) {
      try {
        await unloadCoreWallet(await this.options.nodes.client(), state.core_wallet);
      } catch (err) {
        this.options.logger.info({ err, wallet: alias }, 'Core wallet not unloaded');
      }
    }
    await store.remove();
  }

  /** Listen for new blocks and sync in the background (chain-watcher.ts); starts the node's status poll unless told not to. */
  start(options: { poll?: boolean } = {}): void {
    this.#watcher.start(options);
  }

  /** The wallets linked in this run (the background syncs these on each new block). */
  linkedWallets(): Array<{ user: ChainUser; alias: string }> {
    return [...this.#links.all()].filter((e) => e.state).map((e) => ({ user: e.user, alias: e.alias }));
  }

  /** Stop listening and wait for running syncs (at most `waitMs`: a long rescan is not waited for). */
  async stop(waitMs = 5_000): Promise<void> {
    this.#watcher.stop();
    let timer: NodeJS.Timeout | undefined;
    const bound = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, waitMs);
      timer.unref();
    });
    await Promise.race([Promise.allSettled([...this.#links.all()].map((e) => e.queue)), bound]);
    clearTimeout(timer);
  }

  /**
   * The History in the order asked: date (the default, newest first), amount or label, either
   * way; a page of it and the total. Read from the stored state like transactions(); the other
   * orders are kept beside the date order until the state changes (history-sort.ts).
   *
   * Pages are kept too (HISTORY_PAGES_KEPT per wallet) until the state changes or an address of
   * the wallet does (a label shows in the rows): a History view then makes no row at all, and
   * hands out the same page object, which the server keeps its rendered rows by.
   */
  async history(user: ChainUser, alias: string, page: HistoryPage = {}): Promise<HistorySlice> {
    const { from, count } = checkPage(page);
    const sort = page.sort ?? 'date';
    const dir = page.dir ?? 'desc';
    const { wallet, entry } = await this.#links.wallet(user, alias);
    const state = entry.state ?? (entry.state = await this.#links.loadState(entry));
    if (!state) return { total: 0, transactions: [] };
    const byDate = this.sortedVisible(entry, state);
    // sortedVisible() left the cache of this state in place.
    const pages = (entry.cache!.pages ??= new Map());
    const key = `${sort}:${dir}:${from}:${count}`;
    const kept = pages.get(key);
    if (kept && kept.wallet === wallet && kept.addressVersion === wallet.addressVersion) {
      // Most recently used last: the first key is the one to drop.
      pages.delete(key);
      pages.set(key, kept);
      return kept.page;
    }
    const addressVersion = wallet.addressVersion;
    const order = sortHistory(byDate, sort, dir, (r) => txLabel(r, wallet));
    const slice: HistorySlice = { total: order.length, transactions: order.slice(from, from + count).map((t) => txView(t, state, wallet)) };
    if (count <= HISTORY_PAGE_KEPT_ROWS) {
      pages.delete(key);
      pages.set(key, { wallet, addressVersion, page: slice });
      if (pages.size > HISTORY_PAGES_KEPT) pages.delete(pages.keys().next().value!);
    }
    return slice;
  }

  /**
   * One transaction in full, asked from Core now (tx-detail.ts): every input and output with
   * whose it is, fee and fee rate, sizes, block and raw hex. NOT_FOUND when it is not the wallet's.
   */
  async transactionDetail(user: ChainUser, alias: string, txid: string): Promise<TxDetail> {
    const { wallet, entry } = await this.#links.wallet(user, alias);
    return this.#links.exclusive(entry, async () => {
      const { rpc, state, info } = await this.#links.linked(entry, wallet);
      const record = Object.hasOwn(state.txs, txid) ? state.txs[txid] : undefined;
      return transactionDetail({ rpc, version: info.version, wallet, txid, stored: record ? txView(record, state, wallet) : null });
    });
  }

  /** One stored transaction as the History shows it, or null; works while the node is away. */
  async storedTransaction(user: ChainUser, alias: string, txid: string): Promise<TxView | null> {
    const { wallet, entry } = await this.#links.wallet(user, alias);
    const state = entry.state ?? (entry.state = await this.#links.loadState(entry));
    const record = state && Object.hasOwn(state.txs, txid) ? state.txs[txid] : undefined;
    return state && record ? txView(record, state, wallet) : null;
  }

  /**
   * Run `fn` with the wallet's Core wallet (linked, imported if new), in turn with the wallet's
   * other operations (syncs never interleave). For the send flow (managers/psbt), which changes
   * locks and so balances: the cached balances are dropped after.
   */
  async withWallet<T>(
    user: ChainUser,
    alias: string,
    fn: (linked: { rpc: WalletRpc; state: ChainState; info: NodeInfo; wallet: Wallet }) => Promise<T>,
  ): Promise<T> {
    const { wallet, entry } = await this.#links.wallet(user, alias);
    return this.#links.exclusive(entry, async () => {
      const { rpc, state, info } = await this.#links.linked(entry, wallet);
      try {
        return await fn({ rpc, state, info, wallet });
      } finally {
        entry.cache = undefined;
      }
    });
  }
}
