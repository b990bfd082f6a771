/**
 * NodeManager: the Bitcoin Core nodes of one data folder (`<data>/nodes/<alias>.json`, format in
 * node-record.ts) and which one is active (config.json `active_node_alias`).
 *
 * - add/update run the connection test first and save only when all four checks pass;
 * - the active node falls back to the first node (by alias) when `active_node_alias` is Specter's
 *   "default", empty, or names no node — a stale setting never stops the app;
 * - the password never leaves this class except inside the RPC client: list/get/active return
 *   `PublicNode`, and log lines carry only the public view;
 * - status() is the cached state of the active node (NodeStatusMonitor), refreshed by a poll.
 */
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { SpecterError } from '../../errors/index.js';
import type { Logger } from '../../log/index.js';
import { withFileLock, type JsonFileStore } from '../../persistence/index.js';
import type { ConfigManager } from '../config/config-manager.js';
import { connectionCandidates, testNodeConnection, type ConnectionTestResult } from './connection-test.js';
import { isValidNodeAlias, nodeAliasFromName, parseNodeFile, parseNodeInput, toPublic, type NodeRecord, type PublicNode } from './node-record.js';
import { NodeStatusMonitor, emptyStatus, type NodeStatus } from './node-status.js';
import { NodeTypeRegistry } from './node-types.js';
import { RpcClient, type RpcClientOptions } from './rpc-client.js';

export const NODES_FOLDER = 'nodes';

/** What a caller may set on a node; everything else keeps Specter's read defaults. */
export interface NodeInput {
  name: string;
  autodetect?: boolean;
  datadir?: string;
  user?: string;
  password?: string;
  port?: number | string | null;
  host?: string;
  protocol?: 'http' | 'https';
  node_type?: 'BTC' | 'ELM';
  type?: string;
}

export interface NodeManagerOptions {
  logger: Logger;
  types?: NodeTypeRegistry;
  /** Environment for autodetect (BTC_RPC_*); default process.env. */
  env?: NodeJS.ProcessEnv;
  /** Status poll interval (ms); default 10 s. */
  pollIntervalMs?: number;
  /** Default RPC timeout (ms). */
  rpcTimeoutMs?: number;
  /** The SOCKS agent for a node host that must be reached through Tor (see RpcClientOptions.agentFor). */
  agentFor?: RpcClientOptions['agentFor'];
}

export interface AddResult {
  node: PublicNode;
  tests: ConnectionTestResult;
}

/** "https://host" typed into the host field sets the protocol (Specter's form does the same). */
function normaliseInput(input: NodeInput): NodeInput {
  const host = input.host?.trim();
  const m = host ? /^(https?):\/\/([^/]+?)\/?$/i.exec(host) : null;
  return m ? { ...input, host: m[2]!, protocol: m[1]!.toLowerCase() as 'http' | 'https' } : input;
}

export class NodeManager {
  readonly nodesFolder: string;
  readonly types: NodeTypeRegistry;
  private readonly logger: Logger;
  private readonly env: NodeJS.ProcessEnv;
  private cache: Map<string, NodeRecord> | undefined;
  private clientCache: { alias: string; client: Promise<RpcClient> } | undefined;
  private monitor: NodeStatusMonitor | undefined;
  private polling = false;
  readonly #statusListeners = new Set<(status: NodeStatus) => void>();

  constructor(
    readonly dataFolder: string,
    private readonly store: JsonFileStore,
    private readonly config: ConfigManager,
    private readonly options: NodeManagerOptions,
  ) {
    this.nodesFolder = path.join(dataFolder, NODES_FOLDER);
    this.types = options.types ?? new NodeTypeRegistry();
    this.logger = options.logger;
    this.env = options.env ?? process.env;
  }

  private file(alias: string): string {
    return path.join(this.nodesFolder, `${alias}.json`);
  }

  private async loaded(): Promise<Map<string, NodeRecord>> {
    if (!this.cache) {
      let names: string[] = [];
      try {
        names = await readdir(this.nodesFolder);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      }
      const aliases = new Set<string>();
      for (const n of names) {
        const m = /^(.+)\.json(?:\.bkp)?$/.exec(n);
        if (m && isValidNodeAlias(m[1])) aliases.add(m[1]!);
      }
      const map = new Map<string, NodeRecord>();
      for (const alias of [...aliases].sort()) {
        const raw = await this.store.read<unknown>(this.file(alias));
        if (raw !== undefined) map.set(alias, parseNodeFile(raw, this.file(alias), alias));
      }
      this.cache = map;
    }
    return this.cache;
  }

  /** Serialise changes of the folder and of active_node_alias. */
  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    return withFileLock(path.join(this.nodesFolder, '.manager-lock'), fn);
  }

  /** The public view of every node, by alias. */
  async list(): Promise<PublicNode[]> {
    return [...(await this.loaded()).values()].map(toPublic);
  }

  /** One node's public view, or NODE_NOT_FOUND. */
  async get(alias: string): Promise<PublicNode> {
    return toPublic(await this.record(alias));
  }

  /** The full record, password included: for the chain layer's connection only, never for display. */
  async record(alias: string): Promise<NodeRecord> {
    const node = isValidNodeAlias(alias) ? (await this.loaded()).get(alias) : undefined;
    if (!node) {
      throw new SpecterError('NODE_NOT_FOUND', `There is no node "${alias}".`, {
        hint: 'Check the node alias, or add the node first.',
        details: { alias },
      });
    }
    return { ...node };
  }

  /** The active node's alias: `active_node_alias` if it names a node, else the first node, else null. */
  async activeAlias(): Promise<string | null> {
    const nodes = await this.loaded();
    const wanted = this.config.values.active_node_alias;
    if (typeof wanted === 'string' && nodes.has(wanted)) return wanted;
    const first = nodes.keys().next();
    return first.done ? null : first.value;
  }

  async active(): Promise<PublicNode | undefined> {
    const alias = await this.activeAlias();
    return alias === null ? undefined : this.get(alias);
  }

  /** Run the four checks for settings that are not saved (yet). */
  async testConnection(settings: NodeInput): Promise<ConnectionTestResult> {
    const record = parseNodeInput({ ...normaliseInput(settings), alias: nodeAliasFromName(settings.name ?? 'node') });
    return testNodeConnection(record, this.env, this.rpcOptions());
  }

  private rpcOptions(): RpcClientOptions {
    return {
      ...(this.options.rpcTimeoutMs !== undefined && { timeoutMs: this.options.rpcTimeoutMs }),
      ...(this.options.agentFor && { agentFor: this.options.agentFor }),
    };
  }

  private async assertTestPasses(record: NodeRecord): Promise<ConnectionTestResult> {
    if (!this.types.get(record.type)) {
      throw new SpecterError('NODE_INVALID', `Node type "${record.type}" is not known.`, {
        hint: `Use one of: ${this.types
          .list()
          .map((t) => t.type)
          .join(', ')} (types from extensions appear once the extension is loaded).`,
        details: { field: 'type' },
      });
    }
    const tests = await testNodeConnection(record, this.env, this.rpcOptions());
    if (!tests.ok) {
      const err = tests.error!;
      throw new SpecterError(err.key, `Connection test "${tests.failure!.check}" failed: ${err.message}`, {
        hint: err.hint,
        details: { ...err.details, check: tests.failure!.check, tests: tests.checks },
        cause: err,
      });
    }
    return tests;
  }

  /** Add a node after a passing connection test; the first node becomes active. */
  async add(input: NodeInput): Promise<AddResult> {
    return this.exclusive(async () => {
      const nodes = await this.loaded();
      const base = parseNodeInput({ ...normaliseInput(input), alias: nodeAliasFromName(String(input.name ?? '')) });
      if ([...nodes.values()].some((n) => n.name.toLowerCase() === base.name.toLowerCase())) {
        throw new SpecterError('NODE_EXISTS', `A node named "${base.name}" already exists.`, {
          hint: 'Choose another name, or edit the existing node.',
        });
      }
      let alias = base.alias;
      for (let i = 2; nodes.has(alias); i++) alias = `${base.alias}_${i}`;
      const record = { ...base, alias };
      const tests = await this.assertTestPasses(record);
      await this.store.write(this.file(alias), record);
      nodes.set(alias, record);
      this.logger.info({ node: toPublic(record) }, 'node added');
      if (nodes.size === 1) await this.setActiveLocked(alias);
      return { node: toPublic(record), tests };
    });
  }

  /** Change a node's settings (the alias stays); saved only when the connection test passes. */
  async update(alias: string, changes: Partial<NodeInput>): Promise<AddResult> {
    return this.exclusive(async () => {
      const current = await this.record(alias);
      const next = parseNodeInput({ ...current, ...normaliseInput({ name: current.name, ...changes }), alias });
      const nodes = await this.loaded();
      if ([...nodes.values()].some((n) => n.alias !== alias && n.name.toLowerCase() === next.name.toLowerCase())) {
        throw new SpecterError('NODE_EXISTS', `A node named "${next.name}" already exists.`, { hint: 'Choose another name.' });
      }
      const tests = await this.assertTestPasses(next);
      await this.store.write(this.file(alias), next);
      nodes.set(alias, next);
      this.logger.info({ node: toPublic(next) }, 'node updated');
      if ((await this.activeAlias()) === alias) this.resetConnection();
      return { node: toPublic(next), tests };
    });
  }

  async remove(alias: string): Promise<void> {
    await this.exclusive(async () => {
      await this.record(alias);
      const wasActive = (await this.activeAlias()) === alias;
      await this.store.delete(this.file(alias));
      (await this.loaded()).delete(alias);
      this.logger.info({ alias }, 'node removed');
      if (wasActive) {
        const next = await this.activeAlias();
        await this.config.update({ active_node_alias: next ?? 'default' });
        this.resetConnection();
      }
    });
  }

  async setActive(alias: string): Promise<void> {
    await this.exclusive(async () => {
      await this.record(alias);
      await this.setActiveLocked(alias);
    });
  }

  private async setActiveLocked(alias: string): Promise<void> {
    await this.config.update({ active_node_alias: alias });
    this.resetConnection();
  }

  /**
   * An RPC client for the active node (or `alias`). Autodetect nodes resolve their credentials here
   * (a new .cookie after a restart of bitcoind is picked up after invalidateClient()). The active
   * node's client is shared and owned here; a client for another alias is new and the caller closes it.
   */
  async client(alias?: string): Promise<RpcClient> {
    const target = alias ?? (await this.activeAlias());
    if (target === null) {
      throw new SpecterError('NODE_NONE', 'No Bitcoin Core node is configured.', {
        hint: 'Add a node first (Specter connects to your own Bitcoin Core).',
      });
    }
    if (alias !== undefined && alias !== (await this.activeAlias())) return this.buildClient(await this.record(alias));
    if (this.clientCache?.alias !== target) {
      const client = this.record(target).then((r) => this.buildClient(r));
      client.catch(() => {
        if (this.clientCache?.client === client) this.clientCache = undefined;
      });
      this.clientCache = { alias: target, client };
    }
    return this.clientCache.client;
  }

  private async buildClient(record: NodeRecord): Promise<RpcClient> {
    const candidates = await connectionCandidates(record, this.env);
    if (candidates.length === 1 || !record.autodetect) return new RpcClient(candidates[0]!, this.rpcOptions());
    // Autodetect: the first candidate that answers (Specter's rule).
    let lastError: unknown;
    for (const c of candidates) {
      const client = new RpcClient(c, this.rpcOptions());
      try {
        await client.call('getblockchaininfo', [], { timeoutMs: 5_000 });
        return client;
      } catch (err) {
        client.close();
        lastError = err;
      }
    }
    throw lastError;
  }

  /** Forget the cached client of the active node: the next call re-resolves its connection. */
  invalidateClient(): void {
    const cached = this.clientCache;
    this.clientCache = undefined;
    void cached?.client.then(
      (c) => c.close(),
      () => undefined,
    );
  }

  private resetConnection(): void {
    this.invalidateClient();
    const wasPolling = this.polling;
    this.monitor?.stop();
    this.monitor = undefined;
    if (wasPolling) this.startPolling().catch((err: unknown) => this.logger.error({ err }, 'could not restart the node status poll'));
  }

  private async statusMonitor(): Promise<NodeStatusMonitor> {
    if (!this.monitor) {
      const alias = await this.activeAlias();
      this.monitor ??= new NodeStatusMonitor(
        { alias, client: () => this.client(), invalidate: () => this.invalidateClient() },
        { intervalMs: this.options.pollIntervalMs ?? 10_000, onChange: (status) => this.emitStatus(status) },
      );
    }
    return this.monitor;
  }

  /**
   * Hear of status changes of the active node (connected, height, best block hash, error): the
   * chain layer syncs wallets on a new block. Resolves to a function that removes the listener.
   */
  onStatusChange(listener: (status: NodeStatus) => void): () => void {
    this.#statusListeners.add(listener);
    return () => this.#statusListeners.delete(listener);
  }

  private emitStatus(status: NodeStatus): void {
    for (const listener of this.#statusListeners) {
      try {
        listener(status);
      } catch (err) {
        this.logger.warn({ err }, 'a node status listener failed');
      }
    }
  }

  /** The active node's cached status (never throws; before the first poll: not connected). */
  status(): NodeStatus {
    return this.monitor?.status ?? emptyStatus(null, 'The node status has not been checked yet.');
  }

  /** Poll the active node now. Never rejects. */
  async refreshStatus(): Promise<NodeStatus> {
    try {
      return await (await this.statusMonitor()).refresh();
    } catch (err) {
      return emptyStatus(null, (err as Error).message);
    }
  }

  /** Start the background status poll (timers are unref'd). */
  async startPolling(): Promise<void> {
    this.polling = true;
    const monitor = await this.statusMonitor();
    // stop() may have run while the monitor was being made (a server closed right after its start).
    if (this.polling) monitor.start();
  }

  /** Stop polling and close the client's sockets. */
  stop(): void {
    this.polling = false;
    this.monitor?.stop();
    this.invalidateClient();
  }
}
