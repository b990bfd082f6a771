/**
 * Worker-thread entry for key derivations (PBKDF2-HMAC-SHA256). Receives
 * `{ id, password, salt, iterations, keylen }`, answers `{ id, key }` or `{ id, error }`.
 *
 * The derivation runs synchronously *in this thread*: it never touches libuv's shared thread
 * pool, which file reads (static files, data files) need. The password bytes are zeroed after use.
 */
import { pbkdf2Sync } from 'node:crypto';
import { parentPort } from 'node:worker_threads';

interface Job {
  id: number;
  password: Uint8Array;
  salt: Uint8Array;
  iterations: number;
  keylen: number;
}

parentPort?.on('message', (job: Job) => {
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
