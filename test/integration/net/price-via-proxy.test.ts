/**
 * A price provider plugin's requests (`ctx.http`, the app's one client) with "only Tor": against
 * microsocks (Debian) in front of a local server that plays the price source. microsocks binds its
 * outgoing side to 127.0.0.2, so the server tells a proxied request (peer 127.0.0.2) from a direct one.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it, type TestContext } from 'node:test';
import { createTestSpecter } from '../../../src/testing/index.js';
import { fixturePackage } from '../../helpers/ext-packages.js';
import { until } from '../../helpers/until.js';
import { microsocksSkip, startMicrosocks } from '../../helpers/tor.js';

async function priceServer(t: TestContext) {
  const peers: string[] = [];
  const server = http.createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ price: 43_210 })));
  server.on('connection', (socket) => peers.push(socket.remoteAddress ?? '?'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, peers };
}

describe('price sources through Tor ("only Tor")', { skip: microsocksSkip() }, () => {
  it("a plugin's price requests arrive through the proxy; with the proxy down, an error and no direct attempt", async (t) => {
    const proxy = await startMicrosocks(t);
    const server = await priceServer(t);
    const app = await createTestSpecter({
      extensions: [await fixturePackage('pricefeed')],
      config: { PRICEFEED_URL: server.url, PRICE_CHECK_INTERVAL: 0.05, PRICE_FETCH_TIMEOUT: 5_000 },
    });
    t.after(() => app.close());
    await app.specter.configManager.update({ tor_type: 'custom', proxy_url: proxy.url, only_tor: true });
    await app.specter.configManager.update({ price_check: true, price_provider: 'localfeed', price_currency: 'USD' });
    app.specter.prices.kick();

    await until(() => app.specter.prices.view().btcPrice === 43_210);
    assert.ok(server.peers.length > 0);
    assert.deepEqual([...new Set(server.peers)], ['127.0.0.2'], 'every request came through the proxy');

    // The proxy goes away: the next fetches fail with the reason, and nothing goes out directly.
    await proxy.stop();
    const seen = server.peers.length;
    const status = await until(async () => {
      const s = await app.specter.prices.status();
      const feed = s.providers.find((p) => p.id === 'localfeed');
      return feed?.lastError && /proxy|SOCKS/i.test(feed.lastError.message) ? s : false;
    });
    assert.ok(status);
    assert.equal(server.peers.length, seen, 'no direct connection once the proxy is down');
    assert.equal(app.specter.prices.view().btcPrice, 43_210, 'the last good price stays');
  });
});
