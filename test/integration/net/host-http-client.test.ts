/**
 * The host HTTP client against real peers: microsocks (Debian) in front of a local HTTP server that
 * plays mempool.space's fee API. microsocks binds its outgoing connections to 127.0.0.2, so the
 * server tells a request that came through the proxy (peer 127.0.0.2) from a direct one (127.0.0.1).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isSpecterError } from '../../../src/errors/index.js';
import { createLogger } from '../../../src/log/index.js';
import { feesFromCore, FeeSource, type FeeEstimates } from '../../../src/managers/psbt/index.js';
import { HostHttpClient, type ProxySettings } from '../../../src/net/index.js';
import { freePort, microsocksSkip, RECOMMENDED, startFeeServer, startMicrosocks } from '../../helpers/tor.js';

const logger = createLogger({ level: 'silent' });
const skip = microsocksSkip();
const PATH = '/api/v1/fees/recommended';

function client(settings: ProxySettings, extra: Partial<ConstructorParameters<typeof HostHttpClient>[0]> = {}): HostHttpClient {
  return new HostHttpClient({ name: 'test source', proxy: () => settings, logger, ...extra });
}

async function rejectsWith(promise: Promise<unknown>, code: string): Promise<Error> {
  try {
    await promise;
  } catch (err) {
    assert.ok(isSpecterError(err), `expected a SpecterError, got ${String(err)}`);
    assert.equal(err.code, code, err.message);
    return err;
  }
  assert.fail(`expected ${code}, but the request succeeded`);
}

describe('HostHttpClient through a real SOCKS5 proxy (microsocks)', { skip }, () => {
  it('with only_tor the request arrives through the proxy; without, directly', async (t) => {
    const proxy = await startMicrosocks(t);
    const server = await startFeeServer(t);
    const viaProxy = await client({ proxyUrl: proxy.url, onlyTor: true }).request(`${server.url}${PATH}`);
    assert.equal(viaProxy.status, 200);
    assert.equal(viaProxy.viaProxy, true);
    assert.deepEqual(viaProxy.json(), RECOMMENDED);
    assert.deepEqual(server.peers, ['127.0.0.2'], 'the server saw the proxy as its peer');

    const direct = await client({ proxyUrl: proxy.url, onlyTor: false }).request(`${server.url}${PATH}`);
    assert.equal(direct.viaProxy, false);
    assert.deepEqual(server.peers, ['127.0.0.2', '127.0.0.1']);
  });

  it('proxy down: a clear error and no direct connection (the server sees none)', async (t) => {
    const server = await startFeeServer(t);
    const deadPort = await freePort();
    const err = await rejectsWith(
      client({ proxyUrl: `socks5h://127.0.0.1:${deadPort}`, onlyTor: true }).request(`${server.url}${PATH}`, { timeoutMs: 5_000 }),
      'SPECTER_ERR_NET_PROXY_UNAVAILABLE',
    );
    assert.match(err.message, new RegExp(`127\\.0\\.0\\.1:${deadPort}`));
    assert.equal(server.peers.length, 0);
    assert.equal(server.requests, 0);

    // A proxy that stops between requests: the same.
    const proxy = await startMicrosocks(t);
    const c = client({ proxyUrl: proxy.url, onlyTor: true });
    assert.equal((await c.request(`${server.url}${PATH}`)).status, 200);
    await proxy.stop();
    await rejectsWith(c.request(`${server.url}${PATH}`, { timeoutMs: 5_000 }), 'SPECTER_ERR_NET_PROXY_UNAVAILABLE');
    assert.equal(server.peers.length, 1, 'no connection after the proxy went down');
  });
});

describe('HostHttpClient rules', () => {
  it('.onion without Tor is refused before any connection; a stopped built-in Tor likewise', async () => {
    await rejectsWith(client({ proxyUrl: null, onlyTor: false }).request('http://example2345.onion/x'), 'SPECTER_ERR_NET_TOR_REQUIRED');
    await rejectsWith(client({ proxyUrl: null, onlyTor: true }).request('http://127.0.0.1:9/x'), 'SPECTER_ERR_NET_TOR_REQUIRED');
    await rejectsWith(
      client({ proxyUrl: null, onlyTor: false, unavailable: 'the built-in Tor is not running.' }).request('http://example2345.onion/x'),
      'SPECTER_ERR_NET_PROXY_UNAVAILABLE',
    );
  });

  it('allowedHosts refuses other hosts, naming the caller and the allowed ones', async (t) => {
    const server = await startFeeServer(t);
    const c = client({ proxyUrl: null, onlyTor: false }, { name: 'plugin:prices', allowedHosts: ['api.example.com', '*.kraken.com'] });
    const err = await rejectsWith(c.request(`${server.url}${PATH}`), 'SPECTER_ERR_NET_HOST_NOT_ALLOWED');
    assert.match(err.message, /plugin:prices may not connect to "127\.0\.0\.1"/);
    assert.equal(server.requests, 0);
    const allowed = client({ proxyUrl: null, onlyTor: false }, { allowedHosts: ['127.0.0.1'] });
    assert.equal((await allowed.request(`${server.url}${PATH}`)).status, 200);
  });

  it('bounds the answer size and the wait', async (t) => {
    const server = await startFeeServer(t);
    server.answer = { status: 200, body: 'x'.repeat(5000) };
    await rejectsWith(
      client({ proxyUrl: null, onlyTor: false }, { maxResponseBytes: 1000 }).request(`${server.url}${PATH}`),
      'SPECTER_ERR_NET_REQUEST_FAILED',
    );
    server.answer = { status: 200, body: '', hang: true };
    await rejectsWith(client({ proxyUrl: null, onlyTor: false }).request(`${server.url}${PATH}`, { timeoutMs: 200 }), 'SPECTER_ERR_NET_TIMEOUT');
  });
});

describe('FeeSource', () => {
  const coreFees = (): Promise<FeeEstimates> =>
    Promise.resolve(
      feesFromCore({ fast: { feerate: 0.0003 }, medium: { feerate: 0.0002 }, slow: { feerate: 0.0001 }, minimum: { feerate: 0.00001 } }),
    );

  it('custom URL through the proxy with only_tor; cached for a minute by the injected clock', { skip }, async (t) => {
    const proxy = await startMicrosocks(t);
    const server = await startFeeServer(t);
    let now = 1_000_000;
    const settings: ProxySettings = { proxyUrl: proxy.url, onlyTor: true };
    const source = new FeeSource({
      http: client(settings, { name: 'fee source' }),
      settings: () => ({ estimator: 'custom', customUrl: server.url }),
      proxy: () => settings,
      core: coreFees,
      logger,
      now: () => now,
    });
    const fees = await source.estimates();
    assert.deepEqual(fees, { fast: 21, medium: 13, slow: 8, minimum: 2, source: 'custom', notice: null });
    assert.deepEqual(server.peers, ['127.0.0.2']);
    now += 59_000;
    await source.estimates();
    assert.equal(server.requests, 1, 'answered from the cache');
    now += 2_000;
    await source.estimates();
    assert.equal(server.requests, 2);
  });

  it('a malformed answer or a failing source falls back to Core, the notice says why, the log names the source', async (t) => {
    const server = await startFeeServer(t);
    const lines: string[] = [];
    const log = createLogger({ level: 'warn', destination: { write: (s: string) => void lines.push(s) } });
    const settings: ProxySettings = { proxyUrl: null, onlyTor: false };
    const source = new FeeSource({
      http: new HostHttpClient({ name: 'fee source', proxy: () => settings, logger: log }),
      settings: () => ({ estimator: 'custom', customUrl: `${server.url}/` }),
      proxy: () => settings,
      core: coreFees,
      logger: log,
      cacheMs: 0,
    });
    server.answer = { status: 200, body: JSON.stringify({ fastestFee: 'lots' }) };
    const fees = await source.estimates();
    assert.equal(fees.source, 'core');
    assert.equal(fees.fast, 30);
    assert.match(fees.notice ?? '', /unexpected shape/);
    assert.ok(
      lines.some((l) => l.includes('"source":"fee source"') && l.includes('unexpected shape')),
      lines.join('\n'),
    );

    server.answer = { status: 500, body: 'oops' };
    assert.match((await source.estimates()).notice ?? '', /HTTP 500/);
  });

  it('mempool: the onion address when Tor is set (never clearnet under only_tor), clearnet without Tor', async () => {
    const { feeUrls } = await import('../../../src/managers/psbt/index.js');
    const mempool = { estimator: 'mempool', customUrl: '' };
    assert.deepEqual(
      feeUrls(mempool, { proxyUrl: null, onlyTor: false }).map((u) => new URL(u).host),
      ['mempool.space'],
    );
    const withTor = feeUrls(mempool, { proxyUrl: 'socks5h://127.0.0.1:9050', onlyTor: false }).map((u) => new URL(u).host);
    assert.equal(withTor.length, 2);
    assert.match(withTor[0]!, /\.onion$/);
    const onlyTor = feeUrls(mempool, { proxyUrl: 'socks5h://127.0.0.1:9050', onlyTor: true });
    assert.equal(onlyTor.length, 1);
    assert.match(new URL(onlyTor[0]!).host, /\.onion$/);
    assert.deepEqual(feeUrls({ estimator: 'bitcoin_core', customUrl: '' }, { proxyUrl: null, onlyTor: false }), []);
  });
});
