/**
 * Worker-thread entry for key derivations (PBKDF2-HMAC-SHA256). Receives
 * `{ id, password, salt, iterations, keylen }`, answers `{ id, key }` or `{ id, error }`.
 *
 * The derivation runs synchronously *in this thread*: it never touches libuv's shared thread
 * pool, which file reads (static files, data files) need. The password bytes are zeroed after use.
 */
import { pbkdf2Sync } from 'node:crypto';
import { readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import type { KdfJobMessage } from './kdf.js';

/**
 * On Linux a thread has its own nice value: lowering this thread's lets the event-loop thread
 * (pages, static files) run first when the cores are busy; a login then waits a little longer
 * instead of every page. Best effort: elsewhere, or if not allowed, the thread keeps its priority.
 */
function lowerPriority(nice: number): void {
  if (!(nice > 0)) return;
  try {
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
    if (Number.isInteger(tid) && tid > 0) setPriority(tid, nice);
  } catch {
    // not Linux, or not permitted
  }
}

lowerPriority(Number((workerData as { nice?: number } | undefined)?.nice ?? 0));

parentPort?.on('message', (job: KdfJobMessage) => {
  try {
    const key = pbkdf2Sync(job.password, job.salt, job.iterations, job.keylen, 'sha256');
    parentPort!.postMessage({ id: job.id, key: new Uint8Array(key) });
    key.fill(0);
  } catch (err) {
    parentPort!.postMessage({ id: job.id, error: (err as Error).message });
  } finally {
    job.password.fill(0);
  }
});
