/**
 * A small typed JSON-RPC client for Bitcoin Core, on node:http with a keep-alive agent.
 *
 * Why not the npm `bitcoin-core` package: its latest release still depends on the deprecated
 * `request` library, has no AbortSignal/per-call timeouts and no types; what we need fits here.
 *
 * - One keep-alive agent per client, so status polls and syncs reuse sockets.
 * - `call()` and `batch()`; `/wallet/<name>` paths with the name URL-encoded (Specter's names
 *   `specter<uid>/<alias>` contain a slash; Core decodes the path).
 * - Per-call timeouts (AbortSignal.timeout, combined with the caller's signal).
 * - Every failure is a catalogue error (rpc-errors.ts). A wallet call answered with -18 (wallet not
 *   loaded) loads the wallet once and retries.
 * - The credentials live in a private field as a ready Authorization header; they are not part of
 *   `url`, of any error, or of what util.inspect shows.
 */
import http from 'node:http';
import https from 'node:https';
import { SpecterError } from '../../errors/index.js';
import { RPC_CODES, badResponse, connectionError, coreError, httpError, rpcErrorCode, timeoutError, type RpcTarget } from './rpc-errors.js';

export interface RpcConnection {
  host: string;
  port: number;
  protocol: 'http' | 'https';
  user: string;
  password: string;
}

export interface RpcClientOptions {
  /** Default per-call timeout (ms). */
  timeoutMs?: number;
  /** Sockets kept per client (Core's rpcthreads default is 4 to 16). */
  maxSockets?: number;
  /**
   * The agent for a node's host when it must be reached through Tor (a `.onion` host, or only_tor):
   * a SOCKS agent from src/net, or undefined for a direct connection. It may throw (no Tor
   * configured for a `.onion` node): every call then fails with that error, nothing is sent.
   */
  agentFor?: (host: string) => http.Agent | undefined;
}

export interface CallOptions {
  /** Run the call on `/wallet/<name>`. */
  wallet?: string;
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Do not load the wallet and retry on -18 (used by loadwallet itself). */
  noReload?: boolean;
}

export type RpcParams = unknown[] | Record<string, unknown>;

export interface BatchCall {
  method: string;
  params?: RpcParams;
}

export type BatchResult<T = unknown> = { ok: true; result: T } | { ok: false; error: SpecterError };

export const DEFAULT_RPC_TIMEOUT_MS = 30_000;

interface RpcReply {
  result?: unknown;
  error?: { code?: unknown; message?: unknown } | null;
  id?: unknown;
}

const isReply = (v: unknown): v is RpcReply => !!v && typeof v === 'object' && !Array.isArray(v) && ('result' in v || 'error' in v);

export class RpcClient {
  readonly host: string;
  readonly port: number;
  readonly protocol: 'http' | 'https';
  readonly user: string;
  readonly timeoutMs: number;
  readonly #authorization: string;
  readonly #agent: http.Agent;
  readonly #routeError: unknown;
  #nextId = 1;

  constructor(connection: RpcConnection, options: RpcClientOptions = {}) {
    this.host = connection.host;
    this.port = connection.port;
    this.protocol = connection.protocol;
    this.user = connection.user;
    this.timeoutMs = options.timeoutMs ?? DEFAULT_RPC_TIMEOUT_MS;
    this.#authorization = `Basic ${Buffer.from(`${connection.user}:${connection.password}`).toString('base64')}`;
    let proxied: http.Agent | undefined;
    try {
      proxied = options.agentFor?.(this.host);
    } catch (err) {
      this.#routeError = err;
    }
    const Agent = this.protocol === 'https' ? https.Agent : http.Agent;
    this.#agent = proxied ?? new Agent({ keepAlive: true, maxSockets: options.maxSockets ?? 4 });
  }

  /** The node's base URL, without credentials. */
  get url(): string {
    const host = this.host.includes(':') && !this.host.startsWith('[') ? `[${this.host}]` : this.host;
    return `${this.protocol}://${host}:${this.port}`;
  }

  /** One RPC call; resolves to Core's `result`. */
  async call<T = unknown>(method: string, params: RpcParams = [], options: CallOptions = {}): Promise<T> {
    const target: RpcTarget = { url: this.url, method, wallet: options.wallet };
    const run = async (): Promise<T> => {
      const reply = await this.post(target, { jsonrpc: '2.0', id: this.#nextId++, method, params }, options);
      if (!isReply(reply)) throw badResponse(target, 'the reply is not a JSON-RPC object');
      return this.unwrap(reply, target) as T;
    };
    try {
      return await run();
    } catch (err) {
      if (!(await this.reloadedAfter(err, options))) throw err;
      return run();
    }
  }

  /**
   * Several calls in one HTTP request. Each item resolves or fails on its own; a transport failure
   * (unreachable, 401, timeout) rejects the whole batch.
   */
  async batch<T extends unknown[] = unknown[]>(
    calls: readonly BatchCall[],
    options: CallOptions = {},
  ): Promise<{ [K in keyof T]: BatchResult<T[K]> }> {
    if (calls.length === 0) return [] as unknown as { [K in keyof T]: BatchResult<T[K]> };
    const target: RpcTarget = { url: this.url, method: calls.map((c) => c.method).join(','), wallet: options.wallet };
    const run = async (): Promise<BatchResult[]> => {
      const firstId = this.#nextId;
      this.#nextId += calls.length;
      const body = calls.map((c, i) => ({ jsonrpc: '2.0', id: firstId + i, method: c.method, params: c.params ?? [] }));
      const reply = await this.post(target, body, options);
      // Core answers a batch with an array; an object here is a whole-request error.
      if (isReply(reply)) this.unwrap(reply, target);
      if (!Array.isArray(reply)) throw badResponse(target, 'a batch reply must be a list');
      const byId = new Map<unknown, RpcReply>(reply.filter(isReply).map((r) => [r.id, r]));
      return calls.map((c, i): BatchResult => {
        const item = byId.get(firstId + i);
        const itemTarget = { ...target, method: c.method };
        if (!item) return { ok: false, error: badResponse(itemTarget, `no reply for item ${i}`) };
        try {
          return { ok: true, result: this.unwrap(item, itemTarget) };
        } catch (err) {
          return { ok: false, error: err as SpecterError };
        }
      });
    };
    let results = await run();
    const notLoaded = results.find((r) => !r.ok && r.error.key === 'RPC_WALLET_NOT_LOADED');
    if (notLoaded && !notLoaded.ok && (await this.reloadedAfter(notLoaded.error, options))) results = await run();
    return results as { [K in keyof T]: BatchResult<T[K]> };
  }

  /** A view of the client bound to one wallet (`/wallet/<name>`). */
  wallet(name: string): WalletRpc {
    return new WalletRpc(this, name);
  }

  /** Close the idle keep-alive sockets. */
  close(): void {
    this.#agent.destroy();
  }

  private unwrap(reply: RpcReply, target: RpcTarget): unknown {
    const error = reply.error;
    if (error !== undefined && error !== null) {
      const code = typeof error.code === 'number' ? error.code : RPC_CODES.MISC_ERROR;
      throw coreError(code, typeof error.message === 'string' ? error.message : JSON.stringify(error), target);
    }
    if (!('result' in reply)) throw badResponse(target, 'the reply has neither result nor error');
    return reply.result;
  }

  /** -18 on a wallet call: load the wallet once (already loaded is fine); true when a retry makes sense. */
  private async reloadedAfter(err: unknown, options: CallOptions): Promise<boolean> {
    if (options.noReload || options.wallet === undefined || !(err instanceof SpecterError) || err.key !== 'RPC_WALLET_NOT_LOADED') return false;
    try {
      await this.call('loadwallet', [options.wallet], { timeoutMs: Math.max(options.timeoutMs ?? this.timeoutMs, 60_000), noReload: true });
    } catch (loadErr) {
      if (rpcErrorCode(loadErr) === RPC_CODES.WALLET_ALREADY_LOADED) return true;
      throw new SpecterError('RPC_WALLET_NOT_LOADED', `${err.message} Loading it failed: ${(loadErr as Error).message}`, {
        hint: err.hint,
        details: err.details,
        cause: loadErr,
      });
    }
    return true;
  }

  private post(target: RpcTarget, payload: unknown, options: CallOptions): Promise<unknown> {
    if (this.#routeError !== undefined) return Promise.reject(this.#routeError);
    const timeoutMs = options.timeoutMs ?? this.timeoutMs;
    const timeout = AbortSignal.timeout(timeoutMs);
    const signal = options.signal ? AbortSignal.any([timeout, options.signal]) : timeout;
    const body = Buffer.from(JSON.stringify(payload));
    const path = options.wallet === undefined ? '/' : `/wallet/${encodeURIComponent(options.wallet)}`;
    const transport = this.protocol === 'https' ? https : http;
    return new Promise<unknown>((resolve, reject) => {
      const fail = (err: unknown): void => {
        if (timeout.aborted) reject(timeoutError(target, timeoutMs));
        else if (options.signal?.aborted) reject(options.signal.reason ?? err);
        else reject(connectionError(err, target));
      };
      const req = transport.request(
        {
          host: this.host,
          port: this.port,
          method: 'POST',
          path,
          agent: this.#agent,
          signal,
          headers: { 'content-type': 'application/json', 'content-length': body.length, authorization: this.#authorization },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('error', fail);
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            let parsed: unknown;
            if (/^\s*[[{]/.test(text)) {
              try {
                parsed = JSON.parse(text);
              } catch {
                parsed = undefined;
              }
            }
            // Core < 28 (and 1.0-style replies) put RPC errors in HTTP 404/500 with a JSON body.
            if (parsed !== undefined && (Array.isArray(parsed) || isReply(parsed))) resolve(parsed);
            else if (res.statusCode === 200) reject(badResponse(target, 'the body is not JSON'));
            else reject(httpError(res.statusCode ?? 0, text, target));
          });
        },
      );
      req.on('error', fail);
      req.end(body);
    });
  }
}

/** Calls on one Core wallet; -18 loads it and retries once. */
export class WalletRpc {
  constructor(
    readonly client: RpcClient,
    readonly name: string,
  ) {}

  call<T = unknown>(method: string, params: RpcParams = [], options: Omit<CallOptions, 'wallet'> = {}): Promise<T> {
    return this.client.call<T>(method, params, { ...options, wallet: this.name });
  }

  batch<T extends unknown[] = unknown[]>(
    calls: readonly BatchCall[],
    options: Omit<CallOptions, 'wallet'> = {},
  ): Promise<{ [K in keyof T]: BatchResult<T[K]> }> {
    return this.client.batch<T>(calls, { ...options, wallet: this.name });
  }
}
