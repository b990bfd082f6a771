import type { ServerResponse } from 'node:http';

/** Open event streams per user; the oldest is closed beyond this. */
export const MAX_STREAMS_PER_USER = 8;
/** A comment line this often keeps proxies from timing an idle stream out. */
const HEARTBEAT_MS = 20_000;
/** How long a client waits before reconnecting after its stream ended. */
const RETRY_MS = 5000;

/** One server-sent event; a payload with newlines becomes several `data:` lines, as the format wants. */
export function sseEvent(event: string, data: unknown, id?: string): string {
  const lines = JSON.stringify(data)
    .split('\n')
    .map((l) => `data: ${l}`)
    .join('\n');
  return `${id ? `id: ${id}\n` : ''}event: ${event}\n${lines}\n\n`;
}

/**
 * The open server-sent event streams, by user. A stream ends when its client goes away, when the
 * user opens more than {@link MAX_STREAMS_PER_USER}, and in {@link close} (shutdown; the app
 * stops extensions before it waits for open connections).
 */
export class SseHub {
  readonly #streams = new Map<string, Set<ServerResponse>>();
  #heartbeat: NodeJS.Timeout | undefined;
  #closed = false;

  /**
   * Starts a stream on a response the route handed over (`reply.hijack()`): the headers, the
   * reconnect delay, then `first` (already formatted events). After {@link close} the stream ends
   * at once, and the client reconnects later.
   */
  open(userId: string, res: ServerResponse, first = ''): void {
    if (res.destroyed) return;
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
      'x-content-type-options': 'nosniff',
    });
    res.write(`retry: ${RETRY_MS}\n\n${first}`);
    if (this.#closed) {
      res.end();
      return;
    }
    let set = this.#streams.get(userId);
    if (!set) this.#streams.set(userId, (set = new Set()));
    set.add(res);
    while (set.size > MAX_STREAMS_PER_USER) this.#end(userId, set.values().next().value as ServerResponse);
    const drop = () => this.#drop(userId, res);
    res.once('close', drop);
    res.once('error', drop);
    this.#heartbeat ??= setInterval(() => this.#ping(), HEARTBEAT_MS).unref();
  }

  /** Sends an event to every open stream of a user; returns how many got it. */
  send(userId: string, event: string, data: unknown, id?: string): number {
    const set = this.#streams.get(userId);
    if (!set) return 0;
    const chunk = sseEvent(event, data, id);
    let sent = 0;
    for (const res of [...set]) {
      if (res.writableEnded || res.destroyed) {
        this.#drop(userId, res);
        continue;
      }
      res.write(chunk);
      sent++;
    }
    return sent;
  }

  /** Open streams, of all users or of one. */
  count(userId?: string): number {
    if (userId !== undefined) return this.#streams.get(userId)?.size ?? 0;
    let n = 0;
    for (const set of this.#streams.values()) n += set.size;
    return n;
  }

  /** Ends every stream and refuses new ones. EventSource clients reconnect by themselves later. */
  close(): void {
    this.#closed = true;
    for (const [userId, set] of [...this.#streams]) for (const res of [...set]) this.#end(userId, res);
  }

  #ping(): void {
    for (const [userId, set] of [...this.#streams]) {
      for (const res of [...set]) {
        if (res.writableEnded || res.destroyed) this.#drop(userId, res);
        else res.write(': ping\n\n');
      }
    }
  }

  #end(userId: string, res: ServerResponse): void {
    this.#drop(userId, res);
    if (!res.writableEnded) res.end();
  }

  #drop(userId: string, res: ServerResponse): void {
    const set = this.#streams.get(userId);
    if (!set?.delete(res)) return;
    if (set.size === 0) this.#streams.delete(userId);
    if (this.#streams.size === 0 && this.#heartbeat) {
      clearInterval(this.#heartbeat);
      this.#heartbeat = undefined;
    }
  }
}
