import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FailureLimiter } from '../../../src/server/plugins/failure-limiter.js';
import { CredentialCache } from '../../../src/server/api/credential-cache.js';
import { mockClock } from '../../helpers/clock.js';

test('limiter: a reserved slot counts until it is settled; released slots do not count, failed ones do for a minute', () => {
  const clock = mockClock();
  const limiter = new FailureLimiter(3, clock.now);
  const a = limiter.reserve('ip')!;
  const b = limiter.reserve('ip')!;
  const c = limiter.reserve('ip')!;
  assert.equal(limiter.reserve('ip'), undefined, 'three checks running: a fourth may not start');
  assert.equal(limiter.blocked('ip'), true);
  a.release();
  b.fail();
  b.fail(); // settling twice changes nothing
  assert.equal(limiter.blocked('ip'), false, 'one running, one failed');
  c.fail();
  const d = limiter.reserve('ip')!;
  assert.equal(limiter.reserve('ip'), undefined);
  d.release();
  assert.equal(limiter.blocked('other'), false, 'per address');
  clock.advance(60_001);
  assert.equal(limiter.blocked('ip'), false, 'failures leave the window after a minute');
  assert.ok(limiter.reserve('ip'));
});

test('credential cache: entries expire after the TTL, the key is an HMAC (not the password), once() shares a running computation', async () => {
  const clock = mockClock();
  const cache = new CredentialCache<string>(60_000, 2, clock.now);
  const key = cache.keyOf('bob', 'hunter2');
  assert.ok(!key.includes('hunter2'));
  assert.notEqual(key, cache.keyOf('bob', 'hunter3'));
  assert.notEqual(cache.keyOf('a:b', 'c'), cache.keyOf('a', 'b:c'), 'parts are unambiguous');
  assert.notEqual(key, new CredentialCache<string>(60_000).keyOf('bob', 'hunter2'), 'a per-instance random key');
  cache.set(key, 'v');
  clock.advance(59_999);
  assert.equal(cache.get(key), 'v');
  clock.advance(1);
  assert.equal(cache.get(key), undefined);
  cache.set('a', '1');
  cache.set('b', '2');
  cache.set('c', '3');
  assert.equal(cache.size, 2, 'bounded: the oldest went');
  assert.equal(cache.get('a'), undefined);

  let runs = 0;
  let finish!: (v: string) => void;
  const compute = () => {
    runs++;
    return new Promise<string>((resolve) => {
      finish = resolve;
    });
  };
  const p1 = cache.once('k', compute);
  const p2 = cache.once('k', compute);
  finish('done');
  assert.deepEqual(await Promise.all([p1, p2]), ['done', 'done']);
  assert.equal(runs, 1);
  const off = new CredentialCache<string>(0);
  off.set('k', 'v');
  assert.equal(off.get('k'), undefined, 'TTL 0 caches nothing');
});
