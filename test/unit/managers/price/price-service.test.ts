import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { createLogger } from '../../../../src/log/index.js';
import { JsonFileStore } from '../../../../src/persistence/index.js';
import { PriceService, formatAge, type PriceProvider, type PriceSettings } from '../../../../src/managers/price/index.js';

const HOUR = 3_600_000;

async function harness(fetch: PriceProvider['fetch'], opts: { timeoutMs?: number; settings?: Partial<PriceSettings> } = {}) {
  const dataFolder = await fs.mkdtemp(path.join(os.tmpdir(), 'specter-price-unit-'));
  const lines: string[] = [];
  const clock = { now: Date.parse('2026-12-02T10:00:00Z') };
  const settings: PriceSettings = { enabled: true, provider: 'feed', currency: 'USD', manualRate: 1, ...opts.settings };
  const provider = { id: 'feed', name: 'The Feed', currencies: ['USD', 'EUR'], fetch };
  const make = () =>
    new PriceService({
      settings: () => settings,
      providers: async () => ({ feedplugin: [provider] }),
      dataFolder,
      store: new JsonFileStore(),
      logger: createLogger({ level: 'debug', destination: { write: (s: string) => void lines.push(s) } }),
      intervalMs: HOUR,
      timeoutMs: opts.timeoutMs ?? 5_000,
      now: () => clock.now,
    });
  const service = make();
  await service.load();
  return { service, make, settings, clock, lines, cleanup: () => fs.rm(dataFolder, { recursive: true, force: true }) };
}

const feedState = async (service: PriceService) => (await service.status()).providers.find((p) => p.id === 'feed')!;

describe('PriceService', () => {
  it('keeps a good answer with its source and time, and shows it again after a restart with its age', async (t) => {
    const h = await harness(async (currency) => (currency === 'USD' ? 65_000.5 : 60_000));
    t.after(h.cleanup);
    await h.service.refresh();
    assert.deepEqual(
      { price: h.service.view().btcPrice, source: h.service.view().source, at: h.service.view().at },
      { price: 65_000.5, source: 'feed', at: '2026-12-02T10:00:00.000Z' },
    );
    assert.equal((await feedState(h.service)).lastOk, '2026-12-02T10:00:00.000Z');

    h.clock.now += 5 * HOUR;
    const restarted = h.make();
    await restarted.load();
    const view = restarted.view();
    assert.equal(view.btcPrice, 65_000.5);
    assert.equal(view.age, '5 h');
    assert.equal(view.stale, true, 'older than three intervals');
    // Another currency is never shown with this rate.
    h.settings.currency = 'EUR';
    assert.equal(restarted.view().btcPrice, null);
  });

  for (const [answer, shown] of [
    [Number.NaN, 'NaN'],
    [0, '0'],
    [-5, '-5'],
    [Number.POSITIVE_INFINITY, 'Infinity'],
    ['65000', 'the text "65000"'],
    [undefined, 'undefined'],
  ] as const) {
    it(`refuses the answer ${shown}, logs it with the provider's name and keeps the last good rate`, async (t) => {
      let next: unknown = 40_000;
      const h = await harness(async () => next as number);
      t.after(h.cleanup);
      await h.service.refresh();
      next = answer;
      h.clock.now += 60_000;
      await h.service.refresh();
      assert.equal(h.service.view().btcPrice, 40_000);
      const state = await feedState(h.service);
      assert.equal(state.lastError?.message, `The Feed answered ${shown}, not a price above zero.`);
      assert.equal(state.lastError?.at, '2026-12-02T10:01:00.000Z');
      assert.equal(state.lastOk, '2026-12-02T10:00:00.000Z');
      const warn = h.lines.map((l) => JSON.parse(l)).find((l) => l.level === 40);
      assert.equal(warn.provider, 'feed');
      assert.match(warn.msg, /^price provider "The Feed" failed: /);
    });
  }

  it("keeps a provider's own error, naming the provider", async (t) => {
    const h = await harness(async () => {
      throw new Error('HTTP 503');
    });
    t.after(h.cleanup);
    await h.service.refresh();
    assert.equal((await feedState(h.service)).lastError?.message, 'The Feed: HTTP 503');
    assert.equal(h.service.view().btcPrice, null);
  });

  it('gives up on a provider that hangs after the timeout (aborting it) and starts no second fetch while it still runs', async (t) => {
    let calls = 0;
    let aborted = false;
    let release: () => void = () => undefined;
    const h = await harness(
      (_currency, signal) => {
        calls++;
        signal.addEventListener('abort', () => (aborted = true));
        // Ignores the signal on purpose: a badly written provider.
        return new Promise<number>((resolve) => (release = () => resolve(1)));
      },
      { timeoutMs: 20 },
    );
    t.after(h.cleanup);
    await h.service.refresh();
    assert.equal(aborted, true);
    assert.match((await feedState(h.service)).lastError!.message, /The Feed did not answer within 20 ms/);
    await h.service.refresh();
    assert.equal(calls, 1, 'the hanging fetch is not doubled');
    release();
    await new Promise((r) => setImmediate(r));
    await h.service.refresh();
    assert.equal(calls, 2, 'once it ended, the next check asks again');
  });

  it('records a provider no plugin offers, and a currency the provider does not price, without asking it', async (t) => {
    let calls = 0;
    const h = await harness(async () => {
      calls++;
      return 1;
    });
    t.after(h.cleanup);
    h.settings.currency = 'JPY';
    await h.service.refresh();
    assert.equal((await feedState(h.service)).lastError?.message, 'The Feed does not offer prices in JPY.');
    h.settings.provider = 'gone';
    await h.service.refresh();
    assert.equal(calls, 0);
  });

  it('ignores what a plugin offers that is not a provider', async (t) => {
    const dataFolder = await fs.mkdtemp(path.join(os.tmpdir(), 'specter-price-unit-'));
    t.after(() => fs.rm(dataFolder, { recursive: true, force: true }));
    const service = new PriceService({
      settings: () => ({ enabled: true, provider: 'ok', currency: 'USD', manualRate: 1 }),
      providers: async () => ({
        a: 'nonsense',
        b: [
          { id: 'Bad Id', name: 'x', currencies: ['USD'], fetch: async () => 1 },
          { id: 'ok', name: 'OK', currencies: ['USD'], fetch: async () => 2 },
        ],
        c: [{ id: 'ok', name: 'Duplicate', currencies: ['USD'], fetch: async () => 3 }],
      }),
      dataFolder,
      store: new JsonFileStore(),
      logger: createLogger({ level: 'silent' }),
      intervalMs: HOUR,
      timeoutMs: 1_000,
    });
    assert.deepEqual(
      (await service.providers()).map((p) => [p.ext, p.id, p.name]),
      [['b', 'ok', 'OK']],
    );
    await service.refresh();
    assert.equal(service.view().btcPrice, 2);
  });

  it('uses the manual rate when no provider is chosen, and reads ages in words', async (t) => {
    const h = await harness(async () => 1, { settings: { provider: '', manualRate: 12_345 } });
    t.after(h.cleanup);
    assert.deepEqual([h.service.view().btcPrice, h.service.view().source, h.service.view().stale], [12_345, 'manual', false]);
    assert.deepEqual(
      [formatAge(30_000), formatAge(5 * 60_000), formatAge(3 * HOUR), formatAge(72 * HOUR)],
      ['less than a minute', '5 min', '3 h', '3 days'],
    );
  });
});
