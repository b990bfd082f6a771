import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isSpecterError } from '../../../src/errors/index.js';
import { CallbackRegistry, CORE_CALLBACKS, ExtensionHealth, type Extension } from '../../../src/extensions/index.js';
import { captureLogger } from './_helpers.js';

/** Callback targets only need an id and callback_* methods. */
const ext = (id: string, methods: Record<string, (...a: any[]) => unknown>) => ({ id, ...methods }) as unknown as Extension;

function setup(threshold = 3) {
  const cap = captureLogger();
  const health = new ExtensionHealth({ threshold, logger: cap.logger });
  return { cap, health, registry: new CallbackRegistry({ health, logger: cap.logger }) };
}

describe('CallbackRegistry', () => {
  it('is pre-filled with the Specter catalogue and its styles', () => {
    const { registry } = setup();
    const ids = registry.list().map((d) => d.id);
    for (const id of [
      'afterExtensionManagerInit',
      'specter_added_to_flask_app',
      'after_serverpy_init_app',
      'flask_before_request',
      'specter_persistence_callback',
      'flash',
      'add_settingstabs',
      'add_wallettabs',
      'adjust_view_model',
      'cleanup_on_exit',
      'create_and_show_notification',
      'wallet_synced',
      'psbt_created',
      'transaction_broadcast',
      'price_providers',
    ]) {
      assert.ok(ids.includes(id), id);
    }
    assert.equal(CORE_CALLBACKS.length, 15);
    assert.deepEqual(
      registry
        .list()
        .filter((d) => d.style === 'middleware')
        .map((d) => d.id),
      ['adjust_view_model'],
    );
  });

  it('collect: calls in order, drops null/undefined, isolates a throw', async () => {
    const { registry, health } = setup();
    const calls: string[] = [];
    registry.setExtensions([
      ext('a', {
        callback_flash: (m: string) => {
          calls.push('a');
          return `a:${m}`;
        },
      }),
      ext('b', {
        callback_flash: () => {
          calls.push('b');
          return null;
        },
      }),
      ext('c', {
        callback_flash: async () => {
          calls.push('c');
          throw new Error('c broke');
        },
      }),
      ext('d', {
        callback_flash: async () => {
          calls.push('d');
          return { shown: true };
        },
      }),
      ext('e', {}),
    ]);
    assert.deepEqual(await registry.execute('flash', 'hi', 'info'), { a: 'a:hi', d: { shown: true } });
    assert.deepEqual(calls, ['a', 'b', 'c', 'd']);
    assert.equal(health.totalFailures('c'), 1);
    assert.equal(health.errors('c')[0]!.message, 'c broke');
  });

  it('fire: synchronous handlers need no promise; an async one is awaited and the rest run after it, in order', async () => {
    const { registry, health } = setup();
    const calls: string[] = [];
    registry.setExtensions([
      ext('a', {
        callback_flask_before_request: () => {
          calls.push('a');
        },
      }),
      ext('b', {
        callback_flask_before_request: () => {
          calls.push('b');
          throw new Error('b broke');
        },
      }),
    ]);
    assert.equal(registry.fire('flask_before_request', {}), undefined, 'all synchronous: no promise');
    assert.deepEqual(calls, ['a', 'b']);
    assert.equal(health.totalFailures('b'), 1);

    calls.length = 0;
    registry.setExtensions([
      ext('a', {
        callback_flask_before_request: () => {
          calls.push('a');
        },
      }),
      ext('b', {
        callback_flask_before_request: async () => {
          await new Promise((r) => setTimeout(r, 5));
          calls.push('b');
        },
      }),
      ext('c', {
        callback_flask_before_request: () => {
          calls.push('c');
        },
      }),
      ext('d', {
        callback_flask_before_request: async () => {
          throw new Error('d broke');
        },
      }),
    ]);
    const pending = registry.fire('flask_before_request', {});
    assert.ok(pending instanceof Promise);
    assert.deepEqual(calls, ['a'], 'the rest waits for b');
    await pending;
    assert.deepEqual(calls, ['a', 'b', 'c']);
    assert.equal(health.totalFailures('d'), 1);
    assert.throws(() => registry.fire('adjust_view_model', {}), /middleware/);
  });

  it('middleware: threads the value; a null return keeps the previous value with a warning', async () => {
    const { registry, cap } = setup();
    registry.setExtensions([
      ext('a', { callback_adjust_view_model: (vm: { n: number }) => ({ n: vm.n + 1 }) }),
      ext('b', { callback_adjust_view_model: () => undefined }),
      ext('c', {
        callback_adjust_view_model: () => {
          throw new Error('nope');
        },
      }),
      ext('d', { callback_adjust_view_model: async (vm: { n: number }) => ({ n: vm.n * 10 }) }),
    ]);
    assert.deepEqual(await registry.middleware('adjust_view_model', { n: 1 }), { n: 20 });
    assert.ok(cap.messages().some((m) => m.includes('extension "b" did not respect middleware contract')));
    registry.setExtensions([]);
    assert.deepEqual(await registry.middleware('adjust_view_model', { n: 1 }), { n: 1 }, 'nobody handles it: the input comes back');
  });

  it('filter and per-extension args', async () => {
    const { registry } = setup();
    registry.setExtensions([ext('a', { callback_cleanup_on_exit: (s: string) => s }), ext('b', { callback_cleanup_on_exit: (s: string) => s })]);
    const out = await registry.executeWith({ filter: (e) => e.id === 'b', argsFor: (e) => [`sig-${e.id}`] }, 'cleanup_on_exit');
    assert.deepEqual(out, { b: 'sig-b' });
  });

  it('unknown ids and wrong styles are errors; defineCallback refuses collisions and bad ids', async () => {
    const { registry } = setup();
    await assert.rejects(
      registry.execute('every5seconds'),
      (e) => isSpecterError(e, 'EXT_UNKNOWN_CALLBACK') && /Non existing callback_id "every5seconds"/.test(e.message),
    );
    await assert.rejects(registry.collect('adjust_view_model'), (e) => isSpecterError(e, 'EXT_UNKNOWN_CALLBACK'));
    assert.throws(
      () => registry.defineCallback({ id: 'flash', style: 'collect' }, 'swan'),
      (e) => isSpecterError(e, 'EXT_CALLBACK_CONFLICT') && /already defined by core; swan cannot define it again/.test(e.message),
    );
    assert.throws(
      () => registry.defineCallback({ id: 'bad-id', style: 'collect' }, 'swan'),
      (e) => isSpecterError(e, 'EXT_CALLBACK_CONFLICT'),
    );
    registry.defineCallback({ id: 'swan_withdrawn', style: 'middleware', description: 'x' }, 'swan');
    assert.equal(registry.get('swan_withdrawn')!.style, 'middleware');
    registry.removeCallbacksDefinedBy('swan');
    assert.equal(registry.has('swan_withdrawn'), false);
  });

  it('trips after the threshold of consecutive failures; a success resets the count; reenable restores', async () => {
    const { registry, health } = setup(3);
    let fail = true;
    let calls = 0;
    registry.setExtensions([
      ext('x', {
        callback_flask_before_request: () => {
          calls++;
          if (fail) throw new Error('x');
        },
      }),
    ]);
    await registry.execute('flask_before_request', {});
    await registry.execute('flask_before_request', {});
    fail = false;
    await registry.execute('flask_before_request', {});
    assert.equal(health.consecutiveFailures('x'), 0, 'a success resets');
    fail = true;
    for (let i = 0; i < 3; i++) await registry.execute('flask_before_request', {});
    assert.equal(health.isTripped('x'), true);
    const before = calls;
    await registry.execute('flask_before_request', {});
    assert.equal(calls, before, 'tripped: not called');
    assert.equal(registry.handlersFor('flask_before_request').length, 0);
    assert.equal(health.reenable('x'), true);
    assert.equal(registry.handlersFor('flask_before_request').length, 1);
  });

  it('keeps only the last N errors per extension', async () => {
    const { logger } = captureLogger();
    const health = new ExtensionHealth({ threshold: 1000, keep: 3, logger });
    for (let i = 0; i < 5; i++) health.recordFailure('x', 'callback:flash', new Error(`e${i}`));
    assert.deepEqual(
      health.errors('x').map((e) => e.message),
      ['e2', 'e3', 'e4'],
    );
    assert.equal(health.totalFailures('x'), 5);
  });

  it('executeSync: sync results used, async ones ignored but their rejections counted', async () => {
    const { registry, health, cap } = setup();
    registry.setExtensions([
      ext('s', { callback_specter_persistence_callback: ({ path }: { path: string }) => `saw ${path}` }),
      ext('a', {
        callback_specter_persistence_callback: async () => {
          throw new Error('async fail');
        },
      }),
      ext('m', { callback_adjust_view_model: (vm: object) => ({ ...vm, m: 1 }) }),
    ]);
    assert.deepEqual(registry.executeSync('specter_persistence_callback', { path: '/x', mode: 'write' }), { s: 'saw /x' });
    assert.deepEqual(registry.executeSync('adjust_view_model', { a: 0 }), { a: 0, m: 1 });
    await new Promise((r) => setImmediate(r));
    assert.equal(health.totalFailures('a'), 1);
    assert.ok(cap.messages().some((m) => /returned a promise from callback_specter_persistence_callback/.test(m)));
  });
});
