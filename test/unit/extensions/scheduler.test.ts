import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isSpecterError } from '../../../src/errors/index.js';
import { ExtensionHealth, Scheduler } from '../../../src/extensions/index.js';
import { captureLogger } from './_helpers.js';

function makeScheduler(threshold = 3) {
  const { logger } = captureLogger();
  const health = new ExtensionHealth({ threshold, logger });
  return { health, scheduler: new Scheduler({ health, logger }) };
}

describe('Scheduler', () => {
  it('namespaces job ids per extension and refuses duplicates and bad schedules', async () => {
    const { scheduler } = makeScheduler();
    const swan = scheduler.forExtension('swan');
    assert.equal(
      swan.addJob('refresh', () => undefined, { seconds: 60 }),
      'swan:refresh',
    );
    assert.equal(
      scheduler.forExtension('other').addJob('refresh', () => undefined, { cron: '*/5 * * * *' }),
      'other:refresh',
    );
    const invalid = (fn: () => unknown, re: RegExp) => assert.throws(fn, (e) => isSpecterError(e, 'EXT_JOB_INVALID') && re.test(e.message));
    invalid(() => swan.addJob('refresh', () => undefined, { seconds: 60 }), /a job with this id exists already/);
    invalid(() => swan.addJob('x', () => undefined, { seconds: 0.5 }), /"seconds" is 0\.5/);
    invalid(() => swan.addJob('y', () => undefined, { cron: 'every tuesday' }), /schedule .* is invalid/);
    invalid(() => swan.addJob('z', () => undefined, { at: new Date(Date.now() - 1000) }), /is in the past/);
    invalid(() => swan.addJob('bad id!', () => undefined, { seconds: 5 }), /id "bad id!" is not valid/);
    assert.deepEqual(
      swan.list().map((j) => j.id),
      ['swan:refresh'],
    );
    assert.equal(swan.removeJob('refresh'), true);
    await scheduler.stop();
    invalid(() => swan.addJob('late', () => undefined, { seconds: 5 }), /scheduler is stopped/);
  });

  it('runNow runs a job, catches and counts its error, and trips the extension at the threshold', async () => {
    const { scheduler, health } = makeScheduler(2);
    let runs = 0;
    scheduler.addJob(
      'ext',
      'boom',
      () => {
        runs++;
        throw new Error(`boom ${runs}`);
      },
      { cron: '0 0 1 1 *' },
    );
    const first = await scheduler.runNow('ext:boom');
    assert.equal(first.status, 'error');
    assert.equal(health.errors('ext')[0]!.where, 'job:ext:boom');
    await scheduler.runNow('ext:boom');
    assert.equal(health.isTripped('ext'), true);
    assert.deepEqual(await scheduler.runNow('ext:boom'), { status: 'skipped', reason: 'extension "ext" is switched off' });
    assert.equal(runs, 2);
    const info = scheduler.list()[0]!;
    assert.equal(info.lastError, 'boom 2');
    assert.equal(info.failures, 2);
    await assert.rejects(scheduler.runNow('ext:nope'), (e) => isSpecterError(e, 'EXT_JOB_INVALID'));
    await scheduler.stop();
  });

  it('never overlaps runs of one job, and stop() waits for the running one', async (t) => {
    // Mock clock: croner reads Date and waits with setTimeout, so ticking moves its schedule.
    t.mock.timers.enable({ apis: ['setTimeout', 'setInterval', 'Date'], now: Date.parse('2030-01-01T00:00:00.500Z') });
    const cap = captureLogger();
    const scheduler = new Scheduler({ health: new ExtensionHealth({ threshold: 3, logger: cap.logger }), logger: cap.logger });
    let active = 0;
    let maxActive = 0;
    let started = 0;
    let finished = 0;
    const releases: Array<() => void> = [];
    scheduler.addJob(
      'ext',
      'slow',
      async () => {
        started++;
        active++;
        maxActive = Math.max(maxActive, active);
        await new Promise<void>((r) => releases.push(r));
        active--;
        finished++;
      },
      { seconds: 1 },
    );
    const settle = () => new Promise<void>((r) => setImmediate(r));
    const seconds = async (n: number) => {
      for (let i = 0; i < n; i++) {
        t.mock.timers.tick(1000);
        await settle();
      }
    };
    // A manual run while scheduled ticks come every second: the ticks must wait their turn.
    const manual = scheduler.runNow('ext:slow');
    await seconds(3);
    assert.equal(started, 1, 'no tick started a second run while the manual one ran');
    assert.ok(
      cap.messages().some((m) => m === 'job ext:slow still running; tick skipped'),
      'ticks came while it ran',
    );
    releases.shift()!();
    assert.deepEqual(await manual, { status: 'ok' });
    await seconds(2);
    assert.equal(started, 2, 'the next tick after the manual run started a new run');
    assert.equal(maxActive, 1);
    assert.equal(scheduler.list()[0]!.running, true);

    let stopped = false;
    const stopping = scheduler.stop().then(() => {
      stopped = true;
    });
    await settle();
    assert.equal(stopped, false, 'stop() waits while the job runs');
    releases.shift()!();
    await stopping;
    assert.equal(active, 0, 'stop() returned only after the running job finished');
    assert.equal(started, finished);
    assert.equal(started, 2);
  });

  it('stop() gives up waiting after timeoutMs and says which jobs still run', async () => {
    const cap = captureLogger();
    const health = new ExtensionHealth({ threshold: 3, logger: cap.logger });
    const scheduler = new Scheduler({ health, logger: cap.logger });
    let release!: () => void;
    scheduler.addJob('ext', 'stuck', () => new Promise<void>((r) => (release = r)), { cron: '0 0 1 1 *' });
    const run = scheduler.runNow('ext:stuck');
    await scheduler.stop({ timeoutMs: 50 });
    assert.ok(cap.messages().some((m) => /jobs still running after 50 ms: ext:stuck/.test(m)));
    release();
    assert.deepEqual(await run, { status: 'ok' });
  });
});
