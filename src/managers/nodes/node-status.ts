/**
 * The active node's state for every page's sidebar: cached, refreshed by a bounded poll, never
 * throwing. A poll asks `getbestblockhash` (cheap); only when the tip moved, or after a failure,
 * does it fetch `getblockchaininfo` and `getnetworkinfo`. When Core goes away the last known chain
 * and height stay ("as of block N") with `connected: false` and the error; the next poll after
 * bitcoind comes back reconnects by itself (the client is rebuilt, so a new .cookie is read).
 */
import type { RpcClient } from './rpc-client.js';

export interface NodeStatus {
  alias: string | null;
  connected: boolean;
  chain: string | null;
  blocks: number | null;
  headers: number | null;
  verificationprogress: number | null;
  initialblockdownload: boolean | null;
  bestblockhash: string | null;
  /** getnetworkinfo.version, e.g. 290300. */
  version: number | null;
  subversion: string | null;
  /** What is wrong, with the fix; null while connected. */
  error: string | null;
  errorCode: string | null;
}

export const emptyStatus = (alias: string | null, error: string | null = null, errorCode: string | null = null): NodeStatus => ({
  alias,
  connected: false,
  chain: null,
  blocks: null,
  headers: null,
  verificationprogress: null,
  initialblockdownload: null,
  bestblockhash: null,
  version: null,
  subversion: null,
  error,
  errorCode,
});

export interface StatusSource {
  alias: string | null;
  /** The client for the node; throws when it cannot be built (no node, bad settings). */
  client(): Promise<RpcClient>;
  /** Called after a failed poll: the next client() should re-resolve the connection. */
  invalidate(): void;
}

export interface StatusMonitorOptions {
  /** Time between polls (ms). */
  intervalMs?: number;
  /** Bound of one poll's calls (ms). */
  timeoutMs?: number;
  /** Called when connected/blocks/error change. */
  onChange?: (status: NodeStatus) => void;
}

interface ChainInfo {
  chain: string;
  blocks: number;
  headers: number;
  verificationprogress: number;
  initialblockdownload: boolean;
  bestblockhash: string;
}

export class NodeStatusMonitor {
  readonly intervalMs: number;
  readonly timeoutMs: number;
  #status: NodeStatus;
  #running: Promise<NodeStatus> | undefined;
  #timer: NodeJS.Timeout | undefined;
  #stopped = true;

  constructor(
    private readonly source: StatusSource,
    private readonly options: StatusMonitorOptions = {},
  ) {
    this.intervalMs = options.intervalMs ?? 10_000;
    // Not tied to the interval: a short test interval must not turn a slow answer into a failure.
    this.timeoutMs = options.timeoutMs ?? 5_000;
    this.#status = emptyStatus(source.alias, source.alias === null ? 'No node is configured.' : null);
  }

  /** The cached status (a copy). */
  get status(): NodeStatus {
    return { ...this.#status };
  }

  /** Poll now; concurrent callers share one poll. Never rejects. */
  refresh(): Promise<NodeStatus> {
    this.#running ??= this.poll().finally(() => {
      this.#running = undefined;
    });
    return this.#running;
  }

  start(): void {
    if (!this.#stopped) return;
    this.#stopped = false;
    const tick = (): void => {
      void this.refresh().finally(() => {
        if (this.#stopped) return;
        this.#timer = setTimeout(tick, this.intervalMs);
        this.#timer.unref();
      });
    };
    tick();
  }

  stop(): void {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  private async poll(): Promise<NodeStatus> {
    if (this.source.alias === null) return this.status;
    const previous = this.#status;
    try {
      const client = await this.source.client();
      const call = { timeoutMs: this.timeoutMs };
      const best = await client.call<string>('getbestblockhash', [], call);
      if (!previous.connected || best !== previous.bestblockhash || previous.version === null) {
        const chain = await client.call<ChainInfo>('getblockchaininfo', [], call);
        const network =
          previous.connected && previous.version !== null
            ? { version: previous.version, subversion: previous.subversion ?? '' }
            : await client.call<{ version: number; subversion: string }>('getnetworkinfo', [], call);
        this.set({
          alias: this.source.alias,
          connected: true,
          chain: chain.chain,
          blocks: chain.blocks,
          headers: chain.headers,
          verificationprogress: chain.verificationprogress,
          initialblockdownload: chain.initialblockdownload,
          bestblockhash: chain.bestblockhash,
          version: network.version,
          subversion: network.subversion,
          error: null,
          errorCode: null,
        });
      }
    } catch (err) {
      this.source.invalidate();
      const e = err as { fullMessage?: string; message?: string; code?: string };
      // Keep what was known ("as of block N"); only the connection state and the error change.
      this.set({ ...previous, connected: false, error: e.fullMessage ?? e.message ?? String(err), errorCode: e.code ?? null });
    }
    return this.status;
  }

  private set(next: NodeStatus): void {
    const before = this.#status;
    this.#status = next;
    // The best block hash too: a reorg to a chain of the same height is a change for the wallets.
    if (
      before.connected !== next.connected ||
      before.blocks !== next.blocks ||
      before.bestblockhash !== next.bestblockhash ||
      before.error !== next.error
    ) {
      this.options.onChange?.(this.status);
    }
  }
}
