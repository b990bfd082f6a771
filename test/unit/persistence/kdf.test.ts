import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pbkdf2Sync, randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import {
  KdfPool,
  hashPassword,
  observeKdf,
  unwrapUserSecret,
  wrapUserSecret,
  generateUserSecret,
  USER_SECRET_ITERATIONS,
} from '../../../src/persistence/index.js';
import { isSpecterError } from '../../../src/errors/index.js';

test('the pool derives exactly what pbkdf2Sync derives', async () => {
  const pool = new KdfPool({ size: 1 });
  try {
    const salt = randomBytes(16);
    const got = await pool.derive(Buffer.from('pässword', 'utf8'), salt, 1000, 32);
    assert.deepEqual(got, pbkdf2Sync(Buffer.from('pässword', 'utf8'), salt, 1000, 32, 'sha256'));
  } finally {
    await pool.close();
  }
});

test('the queue is bounded: a job over the limit is refused with KDF_UNAVAILABLE, the others finish', async () => {
  const pool = new KdfPool({ size: 1, maxQueue: 1 });
  try {
    const salt = Buffer.from('salt');
    const running = pool.derive(Buffer.from('a'), salt, 200_000, 32); // taken by the worker
    const queued = pool.derive(Buffer.from('b'), salt, 1_000, 32); // waits
    await assert.rejects(pool.derive(Buffer.from('c'), salt, 1_000, 32), (err) => isSpecterError(err, 'KDF_UNAVAILABLE'));
    assert.equal((await running).length, 32);
    assert.equal((await queued).length, 32);
  } finally {
    await pool.close();
  }
});

test('a job that overruns its timeout is refused, and the pool keeps working with a fresh worker', async () => {
  const pool = new KdfPool({ size: 1, timeoutMs: 20 });
  try {
    await assert.rejects(pool.derive(Buffer.from('slow'), Buffer.from('salt'), 50_000_000, 32), (err) => isSpecterError(err, 'KDF_UNAVAILABLE'));
    const fast = new KdfPool({ size: 1 });
    try {
      assert.deepEqual(await fast.derive(Buffer.from('x'), Buffer.from('y'), 10, 16), pbkdf2Sync('x', 'y', 10, 16, 'sha256'));
    } finally {
      await fast.close();
    }
  } finally {
    await pool.close();
  }
});

test("derivations do not hold libuv's thread pool: a file read finishes before the first of six user-secret unwraps", async () => {
  // Six 390k-iteration unwraps at once used to fill libuv's four threads; a file read queued behind
  // them. Asserted by order of completion, not by time.
  const secret = generateUserSecret();
  const wrapped = await wrapUserSecret(secret, 'pw');
  const events: string[] = [];
  const unwraps = Array.from({ length: 6 }, (_, i) =>
    unwrapUserSecret(wrapped, 'pw').then((r) => {
      events.push(`unwrap ${i}`);
      return r.secret;
    }),
  );
  await new Promise((resolve) => setImmediate(resolve));
  await fs.readFile(fileURLToPath(import.meta.url));
  events.push('read');
  const results = await Promise.all(unwraps);
  assert.equal(events[0], 'read', `order: ${events.join(', ')}`);
  assert.ok(results.every((s) => s === secret));
});

test('every derivation is visible to observers with its iteration count', async () => {
  const calls: number[] = [];
  const stop = observeKdf((c) => calls.push(c.iterations));
  try {
    await hashPassword('x');
  } finally {
    stop();
  }
  await hashPassword('not seen');
  assert.deepEqual(calls, [10_000]);
  assert.equal(USER_SECRET_ITERATIONS, 390_000);
});
