import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { JsonFileStore, activeFileLockCount, withFileLock, type PersistenceLogger } from '../../../src/persistence/index.js';

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'specter-lock-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

const quiet: PersistenceLogger = { debug() {}, warn() {}, error() {} };
const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

describe('per-file lock', () => {
  it('200 concurrent update() calls from two stores each add their key: none is lost', async () => {
    const file = join(dir, 'many.json');
    // Two stores: the lock is process-wide, not per instance.
    const stores = [new JsonFileStore({ logger: quiet }), new JsonFileStore({ logger: quiet })];
    const results = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        stores[i % 2]!.update<Record<string, number>>(file, async (cur) => {
          const next = { ...(cur ?? {}) };
          await tick(); // yield mid-update: without the lock another update would interleave here
          next[`k${i}`] = i;
          return next;
        }),
      ),
    );
    const final = JSON.parse(await readFile(file, 'utf8')) as Record<string, number>;
    assert.equal(Object.keys(final).length, 200);
    for (let i = 0; i < 200; i++) assert.equal(final[`k${i}`], i);
    // Each update saw all earlier ones: the sizes are 1..200 in call order.
    assert.deepEqual(
      results.map((r) => Object.keys(r).length),
      Array.from({ length: 200 }, (_, i) => i + 1),
    );
    assert.equal(Object.keys(JSON.parse(await readFile(`${file}.bkp`, 'utf8'))).length, 199);
    assert.deepEqual(
      (await readdir(dir)).filter((f) => f.endsWith('.tmp')),
      [],
    );
    assert.equal(activeFileLockCount(), 0, 'idle lock entries are removed');
  });

  it('holders of one path never overlap and run in call order; different paths do not wait', async () => {
    const order: string[] = [];
    let inside = 0;
    const hold = (path: string, label: string, ms: number) =>
      withFileLock(path, async () => {
        inside++;
        assert.equal(inside, 1, `${label} overlaps another holder`);
        order.push(`start ${label}`);
        await new Promise((r) => setTimeout(r, ms));
        order.push(`end ${label}`);
        inside--;
        return label;
      });
    const a = join(dir, 'a.json');
    const results = await Promise.all([hold(a, '1', 15), hold(a, '2', 1), hold(join(dir, 'x', '..', 'a.json'), '3', 1)]);
    assert.deepEqual(results, ['1', '2', '3']);
    assert.deepEqual(order, ['start 1', 'end 1', 'start 2', 'end 2', 'start 3', 'end 3']);

    let otherRan = false;
    const slow = withFileLock(join(dir, 'p.json'), async () => {
      await new Promise((r) => setTimeout(r, 30));
      return otherRan;
    });
    await withFileLock(join(dir, 'q.json'), () => {
      otherRan = true;
    });
    assert.equal(await slow, true, 'q.json did not wait for p.json');
    assert.equal(activeFileLockCount(), 0);
  });

  it('a failing holder does not block the next one', async () => {
    const p = join(dir, 'fail.json');
    const first = withFileLock(p, () => {
      throw new Error('boom');
    });
    const second = withFileLock(p, () => 'ran');
    await assert.rejects(first, /boom/);
    assert.equal(await second, 'ran');
    assert.equal(activeFileLockCount(), 0);
  });

  it('is re-entrant inside a holder (an update callback may read the same file)', async () => {
    const file = join(dir, 'reentrant.json');
    const store = new JsonFileStore({ logger: quiet });
    await store.write(file, { n: 1 });
    const result = await Promise.race([
      store.update<{ n: number }>(file, async (cur) => {
        const again = await store.read<{ n: number }>(file);
        return { n: cur!.n + again!.n };
      }),
      new Promise((_, reject) => setTimeout(() => reject(new Error('deadlock')), 2000)),
    ]);
    assert.deepEqual(result, { n: 2 });
  });

  it('work a holder started but did not await waits for the lock once the holder is done', async () => {
    const p = join(dir, 'later.json');
    const order: string[] = [];
    let detached: Promise<void> | undefined;
    await withFileLock(p, async () => {
      detached = (async () => {
        await new Promise((r) => setTimeout(r, 10));
        await withFileLock(p, () => {
          order.push('detached');
        });
      })();
      order.push('holder');
    });
    const next = withFileLock(p, async () => {
      await new Promise((r) => setTimeout(r, 30));
      order.push('next');
    });
    await Promise.all([detached, next]);
    assert.deepEqual(order, ['holder', 'next', 'detached']);
  });
});
