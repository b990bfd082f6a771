/**
 * Background syncing: follows the active node's status and syncs without anyone waiting. When
 * the status sees a new best block (or the node comes back), every wallet linked in this run is
 * synced again; on the first connection every wallet of every user is synced once (importing it
 * on the node if needed). Failures are logged, never thrown: a page or a request never waits on
 * this.
 */
import type { Logger } from '../../log/index.js';
import type { NodeManager } from '../nodes/node-manager.js';
import type { NodeStatus } from '../nodes/node-status.js';
import type { Wallet, WalletManager } from '../wallets/index.js';
import { coreUid, type ChainUser } from './core-link.js';

/** What the watcher needs of the chain service. */
export interface Syncer {
  sync(user: ChainUser, alias: string): Promise<unknown>;
  /** The wallets linked in this run. */
  linkedWallets(): Array<{ user: ChainUser; alias: string }>;
}

export interface ChainWatcherOptions {
  nodes: NodeManager;
  walletsOf(user: ChainUser): WalletManager;
  /** Every user, for the first sync of all wallets once a node answers. */
  users?: () => ChainUser[];
  logger: Logger;
}

export class ChainWatcher {
  #unsubscribe: (() => void) | undefined;
  #lastTip: string | null = null;
  #connected = false;
  #syncedAll = false;
  #stopped = false;

  constructor(
    private readonly chain: Syncer,
    private readonly options: ChainWatcherOptions,
  ) {}

  /** Listen for new blocks (and start the node's status poll unless told not to). */
  start(options: { poll?: boolean } = {}): void {
    if (this.#unsubscribe) return;
    this.#stopped = false;
    this.#unsubscribe = this.options.nodes.onStatusChange((status) => this.onStatus(status));
    // A status seen before this listener existed counts too (the poll may have run already).
    const now = this.options.nodes.status();
    if (now.connected) this.onStatus(now);
    if (options.poll !== false) void this.options.nodes.startPolling();
  }

  stop(): void {
    this.#stopped = true;
    this.#unsubscribe?.();
    this.#unsubscribe = undefined;
  }

  private onStatus(status: NodeStatus): void {
    if (this.#stopped) return;
    const reconnected = status.connected && !this.#connected;
    this.#connected = status.connected;
    if (!status.connected) return;
    if (!reconnected && status.bestblockhash === this.#lastTip) return;
    this.#lastTip = status.bestblockhash;
    if (!this.#syncedAll && this.options.users) {
      this.#syncedAll = true;
      void this.syncEveryWallet();
    } else {
      this.syncLinked();
    }
  }

  private failed(wallet: string) {
    return (err: unknown) => this.options.logger.warn({ err, wallet }, 'background sync failed');
  }

  /** Sync every wallet linked in this run, in the background. */
  private syncLinked(): void {
    for (const { user, alias } of this.chain.linkedWallets()) this.chain.sync(user, alias).catch(this.failed(alias));
  }

  /** Every wallet of every user, one after the other (each may be imported on the node). */
  private async syncEveryWallet(): Promise<void> {
    const owners = new Set<string>();
    for (const user of this.options.users?.() ?? []) {
      // Admins share one wallets folder: sync it once.
      if (owners.has(coreUid(user))) continue;
      owners.add(coreUid(user));
      let wallets: Wallet[];
      try {
        wallets = await this.options.walletsOf(user).list();
      } catch (err) {
        this.options.logger.warn({ err, user: user.id }, 'wallets not listed for sync');
        continue;
      }
      for (const w of wallets) {
        if (this.#stopped) return;
        await this.chain.sync(user, w.alias).catch(this.failed(w.alias));
      }
    }
  }
}
