/**
 * Key derivations (Specter's password hash: PBKDF2 10k iterations; the user-secret wrap key:
 * PBKDF2 390k iterations) on their own worker thread(s).
 *
 * Node's async `crypto.pbkdf2` runs on libuv's thread pool (4 threads), the same pool every file
 * read uses: a few concurrent logins or encrypted-data API calls used to make a static file wait
 * for hundreds of milliseconds. Here derivations queue for a small dedicated pool instead:
 *
 * - 1 worker (2 on machines with more than 2 cores), started on first use, unref'd while idle;
 * - a bounded queue (KDF_UNAVAILABLE when full: a flood is refused instead of growing memory);
 * - a timeout per job (queue wait included); a worker that overruns is terminated and replaced;
 * - on Linux the worker threads run at a lower priority (nice 10), so when the cores are busy the
 *   event loop serving pages and files runs first.
 *
 * If worker threads cannot start, the derivation falls back to `crypto.pbkdf2` (same result,
 * slower for everyone else) so a restricted environment still works.
 */
import { availableParallelism } from 'node:os';
import { pbkdf2 } from 'node:crypto';
import { promisify } from 'node:util';
import { Worker } from 'node:worker_threads';
import { SpecterError } from '../errors/index.js';

const WORKER_URL = new URL('./kdf-worker.js', import.meta.url);
const pbkdf2Async = promisify(pbkdf2);

export interface KdfPoolOptions {
  /** Worker threads (default 1, or 2 with more than 2 cores). */
  size?: number;
  /** Jobs that may wait for a worker; more are refused (default 64). */
  maxQueue?: number;
  /** Milliseconds a job may take from enqueue to result (default 30 s). */
  timeoutMs?: number;
  /** Nice value of the worker threads on Linux (default 10: pages and file reads run first). */
  nice?: number;
}

/** What one derivation costs; observers see every call (tests count work through this). */
export interface KdfCall {
  iterations: number;
  keylen: number;
}

interface Job {
  id: number;
  password: Uint8Array;
  salt: Uint8Array;
  iterations: number;
  keylen: number;
  resolve(key: Buffer): void;
  reject(err: Error): void;
  timer: NodeJS.Timeout | undefined;
  worker?: KdfWorker;
}

class KdfWorker {
  readonly worker: Worker;
  job: Job | undefined;
  dead = false;

  constructor(
    nice: number,
    onMessage: (w: KdfWorker, msg: { id: number; key?: Uint8Array; error?: string }) => void,
    onDead: (w: KdfWorker, err: Error) => void,
  ) {
    this.worker = new Worker(WORKER_URL, { workerData: { nice } });
    this.worker.unref();
    this.worker.on('message', (msg: { id: number; key?: Uint8Array; error?: string }) => onMessage(this, msg));
    this.worker.on('error', (err) => onDead(this, err));
    this.worker.on('exit', (code) => onDead(this, new Error(`key derivation worker exited with code ${code}`)));
  }
}

export class KdfPool {
  readonly size: number;
  readonly maxQueue: number;
  readonly timeoutMs: number;
  readonly nice: number;
  private workers: KdfWorker[] = [];
  private readonly queue: Job[] = [];
  private nextId = 1;
  private workersUnavailable = false;

  constructor(options: KdfPoolOptions = {}) {
    this.size = options.size ?? (availableParallelism() > 2 ? 2 : 1);
    this.maxQueue = options.maxQueue ?? 64;
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.nice = options.nice ?? 10;
  }

  /** Jobs waiting for a worker (not counting the ones running). */
  get queued(): number {
    return this.queue.length;
  }

  /** PBKDF2-HMAC-SHA256(password, salt, iterations, keylen), computed off the main thread and off libuv's pool. */
  derive(password: Uint8Array, salt: Uint8Array, iterations: number, keylen: number): Promise<Buffer> {
    if (this.workersUnavailable) return pbkdf2Async(password, salt, iterations, keylen, 'sha256');
    if (this.queue.length >= this.maxQueue) {
      return Promise.reject(
        new SpecterError('KDF_UNAVAILABLE', `Too many password checks are waiting (${this.maxQueue}).`, {
          hint: 'Retry in a few seconds.',
        }),
      );
    }
    return new Promise<Buffer>((resolve, reject) => {
      // Copies: the worker zeroes its bytes, and the caller's buffers must stay the caller's.
      const job: Job = {
        id: this.nextId++,
        password: Uint8Array.from(password),
        salt: Uint8Array.from(salt),
        iterations,
        keylen,
        resolve,
        reject,
        timer: undefined,
      };
      job.timer = setTimeout(() => this.expire(job), this.timeoutMs);
      job.timer.unref();
      this.queue.push(job);
      this.pump();
    });
  }

  private pump(): void {
    while (this.queue.length > 0) {
      const idle = this.idleWorker();
      if (!idle) return;
      const job = this.queue.shift()!;
      idle.job = job;
      job.worker = idle;
      idle.worker.ref(); // an awaited derivation must not be cut short by process exit
      idle.worker.postMessage({ id: job.id, password: job.password, salt: job.salt, iterations: job.iterations, keylen: job.keylen });
      job.password.fill(0); // the worker has its own copy now
    }
  }

  private idleWorker(): KdfWorker | undefined {
    const free = this.workers.find((w) => !w.job && !w.dead);
    if (free || this.workers.length >= this.size) return free;
    try {
      const w = new KdfWorker(
        this.nice,
        (worker, msg) => this.onMessage(worker, msg),
        (worker, err) => this.onDead(worker, err),
      );
      this.workers.push(w);
      return w;
    } catch {
      // No worker threads here: run every queued job on libuv's pool instead.
      this.workersUnavailable = true;
      for (const job of this.queue.splice(0)) this.runInline(job);
      return undefined;
    }
  }

  private runInline(job: Job): void {
    clearTimeout(job.timer);
    pbkdf2Async(job.password, job.salt, job.iterations, job.keylen, 'sha256').then(job.resolve, job.reject);
  }

  private onMessage(w: KdfWorker, msg: { id: number; key?: Uint8Array; error?: string }): void {
    const job = w.job;
    if (!job || job.id !== msg.id) return; // an answer for a job that already timed out
    this.finish(w, job);
    if (msg.error !== undefined) job.reject(new Error(`key derivation failed: ${msg.error}`));
    else job.resolve(Buffer.from(msg.key!.buffer, msg.key!.byteOffset, msg.key!.byteLength));
    this.pump();
  }

  private finish(w: KdfWorker, job: Job): void {
    clearTimeout(job.timer);
    w.job = undefined;
    w.worker.unref();
  }

  private onDead(w: KdfWorker, err: Error): void {
    if (w.dead) return;
    w.dead = true;
    this.workers = this.workers.filter((x) => x !== w);
    const job = w.job;
    if (job) {
      clearTimeout(job.timer);
      job.reject(err);
    }
    this.pump();
  }

  private expire(job: Job): void {
    const error = new SpecterError('KDF_UNAVAILABLE', `A password check took longer than ${this.timeoutMs} ms.`, { hint: 'Retry in a few seconds.' });
    const i = this.queue.indexOf(job);
    if (i >= 0) {
      this.queue.splice(i, 1);
      job.reject(error);
      return;
    }
    const w = job.worker;
    if (w && w.job === job) {
      // It cannot be interrupted: replace the worker so the jobs behind it get a fresh one.
      w.job = undefined;
      w.dead = true;
      this.workers = this.workers.filter((x) => x !== w);
      void w.worker.terminate();
      job.reject(error);
      this.pump();
    }
  }

  /** Terminates the workers; jobs still out are rejected (they restart lazily on the next derive). */
  async close(): Promise<void> {
    const workers = this.workers;
    this.workers = [];
    for (const job of this.queue.splice(0)) {
      clearTimeout(job.timer);
      job.reject(new Error('key derivation pool closed'));
    }
    await Promise.all(
      workers.map((w) => {
        w.dead = true;
        if (w.job) {
          clearTimeout(w.job.timer);
          w.job.reject(new Error('key derivation pool closed'));
          w.job = undefined;
        }
        return w.worker.terminate();
      }),
    );
  }
}

let shared: KdfPool | undefined;
const observers = new Set<(call: KdfCall) => void>();

/** The process's key derivation pool. */
export function kdfPool(): KdfPool {
  shared ??= new KdfPool();
  return shared;
}

/** Replaces the shared pool's settings (the old pool's workers are stopped). */
export async function configureKdfPool(options: KdfPoolOptions): Promise<void> {
  const old = shared;
  shared = new KdfPool(options);
  await old?.close();
}

/**
 * Calls `listener` for every derivation started in this process. Returns the unsubscribe
 * function. Tests use it to assert equal work (e.g. for unknown and known usernames) instead of
 * timing anything.
 */
export function observeKdf(listener: (call: KdfCall) => void): () => void {
  observers.add(listener);
  return () => observers.delete(listener);
}

/** PBKDF2-HMAC-SHA256 on the dedicated pool: the one entry point for Specter's derivations. */
export function pbkdf2Sha256(password: string | Uint8Array, salt: string | Uint8Array, iterations: number, keylen: number): Promise<Buffer> {
  for (const listener of observers) listener({ iterations, keylen });
  const pw = typeof password === 'string' ? Buffer.from(password, 'utf8') : password;
  const s = typeof salt === 'string' ? Buffer.from(salt, 'utf8') : salt;
  return kdfPool().derive(pw, s, iterations, keylen);
}

/** Stops the shared pool's workers (tests, benchmarks, shutdown). */
export async function shutdownKdfWorkers(): Promise<void> {
  await shared?.close();
}
