/**
 * The parts an unload is made of: requests in flight, disposables, one extension's jobs, and the
 * template folder leaving the nunjucks search path. Time is mocked where a bound is tested.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { describe, it } from 'node:test';
import { Disposables, ExtensionHealth, InflightRequests, Scheduler } from '../../../src/extensions/index.js';
import { addSearchPath, createViewEnvironment, removeSearchPath } from '../../../src/server/views.js';
import { captureLogger, tempDir } from './_helpers.js';

describe('InflightRequests', () => {
  it('drains when the last request of the extension ends; other extensions do not count', async () => {
    const inflight = new InflightRequests();
    const a1 = inflight.enter('a');
    const a2 = inflight.enter('a');
    const b = inflight.enter('b');
    let drained: boolean | undefined;
    const waiting = inflight.drain('a', 10_000).then((v) => {
      drained = v;
    });
    a1();
    a1(); // twice: counted once
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(drained, undefined, 'one request of "a" is still running');
    assert.equal(inflight.count('a'), 1);
    a2();
    await waiting;
    assert.equal(drained, true);
    assert.equal(inflight.count('b'), 1);
    b();
    assert.equal(await inflight.drain('b', 1), true, 'nothing in flight: at once');
  });

  it('gives up after the bound and says so', async (t) => {
    t.mock.timers.enable({ apis: ['setTimeout'] });
    const inflight = new InflightRequests();
    inflight.enter('slow');
    const result = inflight.drain('slow', 5_000);
    t.mock.timers.tick(5_000);
    assert.equal(await result, false);
    assert.equal(inflight.count('slow'), 1);
  });
});

describe('Disposables', () => {
  it('runs an extension’s disposers newest first, goes on after a failure, and forgets them', async () => {
    const { logger, messages } = captureLogger();
    const disposables = new Disposables();
    const order: string[] = [];
    disposables.add('x', () => order.push('first'));
    disposables.add('x', {
      dispose() {
        throw new Error('cannot let go');
      },
    });
    const remove = disposables.add('x', () => order.push('removed by hand'));
    disposables.add('x', async () => {
      order.push('last');
    });
    disposables.add('y', () => order.push('other extension'));
    remove();
    assert.equal(await disposables.dispose('x', { timeoutMs: 1_000, logger }), 1, 'one failed');
    assert.deepEqual(order, ['last', 'first']);
    assert.ok(messages().some((m) => m.includes('extension "x" failed in a disposer: cannot let go')));
    assert.equal(disposables.count('x'), 0);
    assert.equal(await disposables.dispose('x', { timeoutMs: 1_000, logger }), 0, 'nothing runs twice');
    assert.equal(disposables.count('y'), 1);
  });

  it('a disposer that never settles is cut off by the bound', async (t) => {
    t.mock.timers.enable({ apis: ['setTimeout'] });
    const { logger, messages } = captureLogger();
    const disposables = new Disposables();
    disposables.add('x', () => new Promise(() => {}));
    const done = disposables.dispose('x', { timeoutMs: 2_000, logger });
    await new Promise((resolve) => setImmediate(resolve));
    t.mock.timers.tick(2_000);
    assert.equal(await done, 1);
    assert.ok(messages().some((m) => m.includes('did not finish a disposer within 2000 ms')));
  });
});

describe('Scheduler.stopJobsOf', () => {
  it('stops one extension’s jobs, aborts their signal and waits for the running one; others keep running', async () => {
    const { logger } = captureLogger();
    const scheduler = new Scheduler({ health: new ExtensionHealth({ threshold: 3, logger }), logger });
    let finish: (() => void) | undefined;
    let signal: AbortSignal | undefined;
    scheduler.forExtension('a').addJob(
      'long',
      ({ signal: s }) =>
        new Promise<void>((resolve) => {
          signal = s;
          finish = resolve;
        }),
      { seconds: 3600 },
    );
    scheduler.forExtension('b').addJob('other', () => undefined, { seconds: 3600 });
    const running = scheduler.runNow('a:long');
    await new Promise((resolve) => setImmediate(resolve));
    let stopped: string[] | undefined;
    const stopping = scheduler.stopJobsOf('a').then((ids) => {
      stopped = ids;
    });
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(signal?.aborted, true, 'the job is told to give up');
    assert.equal(stopped, undefined, 'and awaited');
    finish!();
    await stopping;
    assert.deepEqual(stopped, ['a:long']);
    assert.deepEqual(await running, { status: 'ok' });
    assert.deepEqual(
      scheduler.list().map((j) => j.id),
      ['b:other'],
    );
    // A reloaded "a" gets a signal that is not aborted.
    let again: AbortSignal | undefined;
    scheduler.forExtension('a').addJob(
      'long',
      ({ signal: s }) => {
        again = s;
      },
      { seconds: 3600 },
    );
    await scheduler.runNow('a:long');
    assert.equal(again?.aborted, false);
    await scheduler.stop();
  });
});

describe('removeSearchPath', () => {
  it('takes a templates folder out of the search path and forgets what nunjucks compiled from it', async () => {
    const dir = await tempDir('specter-views-');
    await fs.mkdir(path.join(dir, 'plug'));
    await fs.writeFile(path.join(dir, 'plug', 'page.njk'), 'version one');
    const core = await tempDir('specter-core-views-');
    const env = createViewEnvironment({ searchPaths: [core], noCache: false });
    addSearchPath(env, dir);
    assert.equal(env.render('plug/page.njk', {}), 'version one');
    removeSearchPath(env, dir);
    assert.throws(() => env.render('plug/page.njk', {}), /template not found/);
    // Updated in place and added again: the new file is read, not the cached one.
    await fs.writeFile(path.join(dir, 'plug', 'page.njk'), 'version two');
    addSearchPath(env, dir);
    assert.equal(env.render('plug/page.njk', {}), 'version two');
    await fs.rm(dir, { recursive: true, force: true });
    await fs.rm(core, { recursive: true, force: true });
  });
});
