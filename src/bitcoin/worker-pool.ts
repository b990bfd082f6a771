/**
 * A lazily started pool of derivation workers, one per core (at most 4).
 *
 * Workers never keep the process alive: they are unref'd while idle, ref'd only while a job they
 * hold is pending (otherwise an awaited derive() could be cut short by process exit), and the whole
 * pool is terminated after IDLE_MS without work. A worker that fails is dropped and its chunk is
 * derived in the calling thread instead, so a broken worker setup costs speed, not correctness.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { deriveRange, type DerivePlan } from './derive-core.js';

const IDLE_MS = 30_000;
const WORKER_URL = new URL('./derive-worker.js', import.meta.url);

interface Pending {
  resolve(addresses: string[]): void;
  reject(err: Error): void;
}

class PoolWorker {
  readonly worker: Worker;
  readonly pending = new Map<number, Pending>();
  dead = false;

  constructor(onDead: (w: PoolWorker) => void) {
    this.worker = new Worker(WORKER_URL);
    this.worker.unref();
    this.worker.on('message', (msg: { id?: number; addresses?: string[]; error?: string }) => {
      if (msg.id === undefined) return;
      const p = this.pending.get(msg.id);
      if (!p) return;
      this.pending.delete(msg.id);
      if (this.pending.size === 0) this.worker.unref();
      if (msg.error !== undefined) p.reject(new Error(msg.error));
      else p.resolve(msg.addresses!);
    });
    const fail = (err: Error) => {
      if (this.dead) return;
      this.dead = true;
      for (const p of this.pending.values()) p.reject(err);
      this.pending.clear();
      onDead(this);
    };
    this.worker.on('error', fail);
    this.worker.on('exit', (code) => fail(new Error(`derivation worker exited with code ${code}`)));
  }

  run(id: number, plan: DerivePlan, from: number, count: number): Promise<string[]> {
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.ref();
      this.worker.postMessage({ id, plan, from, count });
    });
  }
}

export class DerivationPool {
  readonly size: number;
  private workers: PoolWorker[] = [];
  private nextId = 1;
  private idleTimer: NodeJS.Timeout | undefined;
  private active = 0;

  constructor(size = Math.min(4, Math.max(1, availableParallelism()))) {
    this.size = size;
  }

  private ensureWorkers(): void {
    while (this.workers.length < this.size) {
      this.workers.push(
        new PoolWorker((dead) => {
          this.workers = this.workers.filter((w) => w !== dead);
        }),
      );
    }
  }

  /** Derive from … from+count-1 split into one contiguous chunk per worker. */
  async derive(plan: DerivePlan, from: number, count: number): Promise<string[]> {
    clearTimeout(this.idleTimer);
    this.active++;
    try {
      try {
        this.ensureWorkers();
      } catch {
        // Workers unavailable (e.g. a restricted environment): derive here instead.
        return deriveRange(plan, from, count);
      }
      const workers = [...this.workers];
      if (workers.length === 0) return deriveRange(plan, from, count);
      const chunk = Math.ceil(count / workers.length);
      const parts = workers.map((w, i) => {
        const start = from + i * chunk;
        const n = Math.max(0, Math.min(chunk, from + count - start));
        if (n === 0) return Promise.resolve<string[]>([]);
        // A failed worker's chunk is derived here rather than failing the whole call.
        return w.run(this.nextId++, plan, start, n).catch(() => deriveRange(plan, start, n));
      });
      return (await Promise.all(parts)).flat();
    } finally {
      this.active--;
      if (this.active === 0) {
        this.idleTimer = setTimeout(() => void this.close(), IDLE_MS);
        this.idleTimer.unref();
      }
    }
  }

  /** Terminate all workers (they are restarted on the next derive). */
  async close(): Promise<void> {
    clearTimeout(this.idleTimer);
    const workers = this.workers;
    this.workers = [];
    await Promise.all(
      workers.map((w) => {
        w.dead = true;
        // Jobs still out fall back to the calling thread (see derive()).
        for (const p of w.pending.values()) p.reject(new Error('derivation pool closed'));
        w.pending.clear();
        return w.worker.terminate();
      }),
    );
  }
}

let shared: DerivationPool | undefined;

export function derivationPool(): DerivationPool {
  shared ??= new DerivationPool();
  return shared;
}

/** Stop the shared pool's workers now (tests, benchmarks, shutdown). */
export async function shutdownDerivationWorkers(): Promise<void> {
  await shared?.close();
}
