import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { test, type TestContext } from 'node:test';
import { createTestSpecter, type TestSpecter } from '../../../src/testing/index.js';
import { fixturePackage } from '../../helpers/ext-packages.js';
import { until } from '../../helpers/until.js';

/** A local server that plays a price source: it answers, hangs or talks nonsense, as the test says. */
async function priceServer() {
  const state = { mode: 'ok' as 'ok' | 'hang' | 'malformed', price: 50_000, requests: 0, hanging: [] as http.ServerResponse[] };
  let hangStarted: () => void = () => undefined;
  const server = http.createServer((req, res) => {
    state.requests++;
    if (state.mode === 'hang') {
      state.hanging.push(res);
      hangStarted();
      return;
    }
    res.setHeader('content-type', 'application/json');
    res.end(state.mode === 'ok' ? JSON.stringify({ price: state.price, currency: req.url?.split('/').pop() }) : JSON.stringify({ price: 'lots' }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    state,
    url,
    /** Resolves when the next request reaches the server and is left hanging. */
    nextHang: () => new Promise<void>((resolve) => (hangStarted = resolve)),
    close: async () => {
      for (const r of state.hanging) r.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

async function setup(ctx: TestContext, logLines?: string[], dataFolder?: string) {
  const server = await priceServer();
  ctx.after(() => server.close());
  const t: TestSpecter = await createTestSpecter({
    extensions: [await fixturePackage('pricefeed')],
    config: { PRICEFEED_URL: server.url, PRICE_CHECK_INTERVAL: 0.05, PRICE_FETCH_TIMEOUT: 60_000 },
    ...(logLines ? { logLines } : {}),
    ...(dataFolder ? { dataFolder } : {}),
  });
  ctx.after(() => t.close());
  assert.equal(t.statuses().find((s) => s.id === 'pricefeed')?.status, 'loaded');
  const client = t.client();
  return { server, t, client };
}

test('a third-party provider is chosen in Settings → Price; its price arrives on schedule and shows in the top bar, a balance and the API', async (ctx) => {
  const { server, t, client } = await setup(ctx);
  // Off by default: no top-bar price, nothing asked.
  assert.doesNotMatch((await client.get('/spc/settings/price')).body, /id="topbar-price"/);

  const page = await client.get('/spc/settings/price');
  assert.equal(page.statusCode, 200);
  assert.match(page.body, /<option value="localfeed"[^>]*>Local Feed \(USD, EUR\)/, 'the fixture provider is offered');
  assert.match(page.body, /<option value="kraken"/, 'so are the built-in ones');

  // A currency the provider does not offer comes back with the error and what was typed.
  const refused = await client.post('/spc/settings/price', { price_check: 'on', price_provider: 'localfeed', price_currency: 'jpy', alt_rate: '1' });
  assert.equal(refused.statusCode, 400);
  assert.match(refused.body, /Local Feed does not offer prices in JPY/);
  assert.match(refused.body, /id="price-currency" name="price_currency" value="jpy"/);

  const badRate = await client.post('/spc/settings/price', { price_check: 'on', price_provider: '', price_currency: 'EUR', alt_rate: '-3' });
  assert.equal(badRate.statusCode, 400);
  assert.match(badRate.body, /The manual rate &quot;-3&quot; is not a price above zero/);
  assert.match(badRate.body, /id="alt-rate" name="alt_rate" value="-3"/);
  assert.equal(t.specter.configManager.values.price_check, false, 'nothing was saved');

  // A provider whose plugin is gone (config.json names it) is said on the page.
  await t.specter.configManager.update({ price_provider: 'gone' });
  assert.match((await client.get('/spc/settings/price')).body, /id="price-provider-missing"[\s\S]*"gone"/);

  const saved = await client.post('/spc/settings/price', { price_check: 'on', price_provider: 'localfeed', price_currency: 'usd', alt_rate: '1' });
  assert.equal(saved.statusCode, 302);
  assert.equal(t.specter.configManager.values.price_currency, 'USD');

  // Every interval the provider is asked; the price changes on the server and the page follows.
  server.state.price = 61_234.5;
  const top = await until(async () => {
    const body = (await client.get('/spc/wallets/')).body;
    return /1 BTC = \$61,235/.test(body) && body;
  });
  assert.match(top, /id="topbar-price"/);
  const before = server.state.requests;
  await until(() => server.state.requests >= before + 2);

  const api = await client.get('/api/v1/price', { accept: 'application/json' });
  assert.equal(api.statusCode, 200, api.body);
  const body = JSON.parse(api.body);
  assert.equal(body.enabled, true);
  assert.equal(body.currency, 'USD');
  assert.equal(body.price, 61_234.5);
  assert.equal(body.source, 'localfeed');
  assert.ok(!Number.isNaN(Date.parse(body.at)));
  const feed = body.providers.find((p: { id: string }) => p.id === 'localfeed');
  assert.ok(feed.lastOk, 'the last success is recorded');
  assert.equal(feed.lastError, null);
  assert.deepEqual(Object.keys(feed).sort(), ['id', 'lastError', 'lastOk', 'name']);

  // A fiat value of satoshis through the page filter (the wallets overview total uses it).
  const views = t.app.views;
  const html = views.renderString('{{ 150000000 | fiat(price) }}', { price: t.specter.prices.view() });
  assert.equal(html, '$91,851.75');
});

test('a price source that hangs does not hold up any page: pages are served while the fetch is pending', async (ctx) => {
  const { server, t, client } = await setup(ctx);
  server.state.mode = 'hang';
  const hanging = server.nextHang();
  await t.specter.configManager.update({ price_check: true, price_provider: 'localfeed', price_currency: 'USD' });
  t.specter.prices.kick();
  await hanging;
  const pending = server.state.hanging.length;
  assert.equal(pending, 1, 'the provider is waiting for the server');

  for (const url of ['/spc/wallets/', '/spc/settings/price', '/api/v1/price']) {
    const started = process.hrtime.bigint();
    const res = await client.get(url, url.startsWith('/api') ? { accept: 'application/json' } : undefined);
    // bench/price-hang prints the time; here: the answer came while the fetch still hangs.
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    assert.equal(res.statusCode, 200, `${url}: ${res.body.slice(0, 200)}`);
    assert.equal(server.state.hanging.length, pending, `${url} was served while the fetch hangs (${ms.toFixed(1)} ms)`);
    assert.ok(!server.state.hanging[0]!.writableEnded, 'the fetch is still pending');
  }
  // Never two at once: while it hangs, the schedule asks nothing more.
  const requests = server.state.requests;
  await new Promise((r) => setTimeout(r, 200));
  assert.equal(server.state.requests, requests, 'no second fetch overlaps the hanging one');
});

test('a malformed answer is rejected and logged with the provider name; Settings shows the last error and the old price stays', async (ctx) => {
  const lines: string[] = [];
  const dataFolder = await fs.mkdtemp(path.join(os.tmpdir(), 'specter-price-'));
  ctx.after(() => fs.rm(dataFolder, { recursive: true, force: true }));
  const { server, t, client } = await setup(ctx, lines, dataFolder);
  await t.specter.configManager.update({ price_check: true, price_provider: 'localfeed', price_currency: 'USD' });
  t.specter.prices.kick();
  await until(() => t.specter.prices.view().btcPrice === 50_000);

  server.state.mode = 'malformed';
  await until(async () => (await t.specter.prices.status()).providers.find((p) => p.id === 'localfeed')?.lastError);

  const logged = lines
    .map((l) => JSON.parse(l) as { msg: string; provider?: string; level: number })
    .find((l) => l.provider === 'localfeed' && l.level >= 40);
  assert.ok(logged, 'a log line names the provider');
  assert.match(logged.msg, /price provider "Local Feed" failed: Local Feed answered the text "lots", not a price above zero/);

  const page = await client.get('/spc/settings/price');
  const row = page.body.slice(page.body.indexOf('data-provider="localfeed"'));
  assert.match(
    row.slice(0, row.indexOf('</tr>')),
    /class="provider-last-error">.*Local Feed answered the text &quot;lots&quot;, not a price above zero/s,
  );
  assert.match(page.body, /1 BTC = <strong id="price-value">\$50,000<\/strong>/, 'the last good price stays');
  const api = JSON.parse((await client.get('/api/v1/price', { accept: 'application/json' })).body);
  assert.equal(api.price, 50_000);

  // After a restart the last good price is shown again, from price.json.
  await t.close();
  const again = await createTestSpecter({
    dataFolder,
    extensions: [await fixturePackage('pricefeed')],
    config: { PRICEFEED_URL: 'http://127.0.0.1:9', PRICE_CHECK_INTERVAL: 3600 },
  });
  try {
    assert.equal(again.specter.prices.view().btcPrice, 50_000);
    assert.match((await again.client().get('/spc/wallets/')).body, /1 BTC = \$50,000/);
  } finally {
    await again.close();
  }
});
