/**
 * Worker-thread entry for bulk address derivation. Receives `{ id, plan, from, count }`, answers
 * `{ id, addresses }` or `{ id, error }`. Loads only derive-core (secp256k1 + address encoders).
 */
import { parentPort } from 'node:worker_threads';
import { deriveRange, type DerivePlan } from './derive-core.js';
import { secpBackend } from './secp.js';

interface Job {
  id: number;
  plan: DerivePlan;
  from: number;
  count: number;
}

parentPort?.on('message', (job: Job) => {
  try {
    parentPort!.postMessage({ id: job.id, addresses: deriveRange(job.plan, job.from, job.count) });
  } catch (err) {
    parentPort!.postMessage({ id: job.id, error: (err as Error).message });
  }
});
parentPort?.postMessage({ ready: true, backend: secpBackend.name });
