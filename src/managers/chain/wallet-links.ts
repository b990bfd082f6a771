/**
 * The chain service's per-wallet bookkeeping: one entry per wallet (its stored state, loaded on
 * first use, its cache and its queue), the link to its Core wallet on the active node, and the
 * rule that per wallet, operations run one after the other.
 */
import { isSpecterError } from '../../errors/index.js';
import type { Logger } from '../../log/index.js';
import type { JsonFileStore } from '../../persistence/index.js';
import type { NodeManager } from '../nodes/node-manager.js';
import { nodeInfo, type NodeInfo } from '../nodes/core-wallets.js';
import type { RpcClient, WalletRpc } from '../nodes/rpc-client.js';
import type { Wallet, WalletManager } from '../wallets/index.js';
import type { HistorySlice, SyncResult } from './chain-service.js';
import type { ChainState, TxRecord } from './chain-state.js';
import { JournalChainStateStore, type ChainStateStore } from './chain-store.js';
import { relockFrozen, type Balances } from './coins.js';
import { coreUid, linkWallet, type ChainUser } from './core-link.js';

/** One wallet as the chain service keeps it. */
export interface WalletEntry {
  user: ChainUser;
  alias: string;
  store: ChainStateStore;
  state?: ChainState;
  /** The client the wallet was last linked through (a new client = a reconnect: link again). */
  linkedClient?: RpcClient;
  running?: Promise<SyncResult>;
  queue: Promise<unknown>;
  rescanning: boolean;
  /**
   * What pages read most, kept until the state changes (a sync that changed something, a new
   * link, a freeze): the visible transactions newest first, and the balances. Without it every
   * History view sorted the whole history and asked Core for the balance. `pages` are History
   * pages as the chain service answered them (chain-service.ts: history()).
   */
  cache?: { state: ChainState; sorted?: TxRecord[]; balances?: Balances; pages?: Map<string, KeptHistoryPage> };
}

/** A History page kept for the wallet object and address version it was made with (labels come from the addresses). */
export interface KeptHistoryPage {
  wallet: Wallet;
  addressVersion: number;
  page: HistorySlice;
}

/**
 * What layers above the chain (the send flow) hook in, so the chain layer never imports them:
 * `linked` after each new link to Core (Core forgets locks when it restarts), `afterSync` after
 * each sync (what the sync saw may have spent their coins). Failures of `afterSync` are theirs to log.
 */
export interface ChainHooks {
  linked?(wallet: { rpc: WalletRpc; user: ChainUser; alias: string }): Promise<unknown>;
  afterSync?(wallet: { rpc: WalletRpc; user: ChainUser; alias: string }): Promise<unknown>;
}

export interface WalletLinksOptions {
  nodes: NodeManager;
  walletsOf(user: ChainUser): WalletManager;
  store: JsonFileStore;
  logger: Logger;
  stateStore?: (walletsFolder: string, alias: string) => ChainStateStore;
  hooks?: ChainHooks;
}

export class WalletLinks {
  readonly #entries = new Map<string, WalletEntry>();
  readonly #info = new WeakMap<RpcClient, Promise<NodeInfo>>();

  constructor(private readonly options: WalletLinksOptions) {}

  all(): IterableIterator<WalletEntry> {
    return this.#entries.values();
  }

  get(key: string): WalletEntry | undefined {
    return this.#entries.get(key);
  }

  forget(key: string): void {
    this.#entries.delete(key);
  }

  key(user: ChainUser, alias: string): string {
    return `${coreUid(user)}/${alias}`;
  }

  entry(user: ChainUser, alias: string, wallets: WalletManager): WalletEntry {
    const key = this.key(user, alias);
    let entry = this.#entries.get(key);
    if (!entry) {
      const store =
        this.options.stateStore?.(wallets.walletsFolder, alias) ?? new JournalChainStateStore(this.options.store, wallets.walletsFolder, alias);
      entry = { user, alias, store, queue: Promise.resolve(), rescanning: false };
      this.#entries.set(key, entry);
    }
    return entry;
  }

  /** Run fn after the wallet's earlier operations (state changes never interleave). */
  exclusive<T>(entry: WalletEntry, fn: () => Promise<T>): Promise<T> {
    const run = entry.queue.then(fn, fn);
    entry.queue = run.catch(() => undefined);
    return run;
  }

  async wallet(user: ChainUser, alias: string): Promise<{ wallet: Wallet; entry: WalletEntry }> {
    const wallets = this.options.walletsOf(user);
    const wallet = await wallets.get(alias);
    return { wallet, entry: this.entry(user, alias, wallets) };
  }

  nodeInfo(client: RpcClient): Promise<NodeInfo> {
    let info = this.#info.get(client);
    if (!info) {
      info = nodeInfo(client);
      info.catch(() => this.#info.delete(client));
      this.#info.set(client, info);
    }
    return info;
  }

  async loadState(entry: WalletEntry): Promise<ChainState | undefined> {
    if (entry.state) return entry.state;
    try {
      return await entry.store.load();
    } catch (err) {
      if (!isSpecterError(err, 'DATA_FILE_CORRUPT')) throw err;
      this.options.logger.warn({ err, wallet: entry.alias }, 'chain cache unreadable; syncing from scratch');
      return undefined;
    }
  }

  /** Link (import if needed) and answer the Core wallet to talk to. Call inside exclusive(). */
  async linked(entry: WalletEntry, wallet: Wallet): Promise<{ rpc: WalletRpc; state: ChainState; info: NodeInfo }> {
    const client = await this.options.nodes.client();
    const info = await this.nodeInfo(client);
    if (!entry.state || entry.linkedClient !== client || entry.state.chain !== info.chain) {
      const stored = await this.loadState(entry);
      const { state, imported } = await linkWallet({ client, version: info.version, chain: info.chain, user: entry.user, wallet, state: stored });
      if (imported) await entry.store.save(state);
      entry.state = state;
      entry.cache = undefined;
      entry.linkedClient = client;
      const rpc = client.wallet(state.core_wallet);
      // Core forgets locks when it restarts: a new link is the moment to put them back.
      await relockFrozen(rpc, state);
      // Others' locks too (the pending PSBTs' coins); their failure must not stop the wallet's chain data.
      await this.options.hooks
        ?.linked?.({ rpc, user: entry.user, alias: entry.alias })
        .catch((err: unknown) => this.options.logger.warn({ err, wallet: entry.alias }, 'coins not locked again after a new link'));
    }
    return { rpc: client.wallet(entry.state.core_wallet), state: entry.state, info };
  }
}
