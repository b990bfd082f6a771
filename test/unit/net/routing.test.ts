import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isSpecterError } from '../../../src/errors/index.js';
import { isOnionHost, isPrivateHost, parseProxyUrl, redactUrl, routeFor, socksAgent } from '../../../src/net/index.js';

const tor = { proxyUrl: 'socks5h://127.0.0.1:9050', onlyTor: false };

describe('routing of outgoing connections', () => {
  it('recognises onion and private hosts', () => {
    assert.equal(isOnionHost('abc.onion'), true);
    assert.equal(isOnionHost('ABC.ONION.'), true);
    assert.equal(isOnionHost('onion.example.com'), false);
    for (const h of ['localhost', '127.0.0.1', '10.1.2.3', '192.168.0.5', '172.16.0.1', '172.31.255.255', '::1', '[::1]']) {
      assert.equal(isPrivateHost(h), true, h);
    }
    for (const h of ['172.32.0.1', '8.8.8.8', 'example.com', 'abc.onion']) assert.equal(isPrivateHost(h), false, h);
  });

  it('.onion always through the proxy; other hosts only with only_tor (RPC keeps private hosts direct)', () => {
    assert.equal(routeFor('example.com', tor).via, 'direct');
    assert.equal(routeFor('abc.onion', tor).via, 'proxy');
    assert.equal(routeFor('example.com', { ...tor, onlyTor: true }).via, 'proxy');
    assert.equal(routeFor('127.0.0.1', { ...tor, onlyTor: true }).via, 'proxy');
    assert.equal(routeFor('127.0.0.1', { ...tor, onlyTor: true }, { privateDirect: true }).via, 'direct');
    assert.equal(routeFor('example.com', tor, { forceTor: true }).via, 'proxy');
  });

  it('refuses instead of going direct when Tor is needed but missing or down', () => {
    assert.throws(
      () => routeFor('abc.onion', { proxyUrl: null, onlyTor: false }),
      (err) => isSpecterError(err, 'NET_TOR_REQUIRED'),
    );
    assert.throws(
      () => routeFor('example.com', { proxyUrl: null, onlyTor: true }),
      (err) => isSpecterError(err, 'NET_TOR_REQUIRED'),
    );
    assert.throws(
      () => routeFor('abc.onion', { proxyUrl: null, onlyTor: false, unavailable: 'the built-in Tor is not running.' }),
      (err) => isSpecterError(err, 'NET_PROXY_UNAVAILABLE') && /not running/.test(err.message),
    );
  });

  it('resolves names at the proxy (socks5 becomes socks5h) and rejects other proxy kinds', () => {
    assert.equal(parseProxyUrl('socks5://localhost:9050').protocol, 'socks5h:');
    assert.throws(
      () => parseProxyUrl('http://localhost:8080'),
      (err) => isSpecterError(err, 'NET_TOR_REQUIRED'),
    );
    assert.throws(
      () => parseProxyUrl('socks5h://localhost'),
      (err) => isSpecterError(err, 'NET_TOR_REQUIRED'),
    );
    assert.throws(
      () => parseProxyUrl('not a url'),
      (err) => isSpecterError(err, 'NET_TOR_REQUIRED'),
    );
  });

  it('isolating agents get fresh random credentials; a URL with its own keeps them', () => {
    const proxy = parseProxyUrl(tor.proxyUrl);
    const a = socksAgent(proxy, { isolate: true, timeoutMs: 1000 });
    const b = socksAgent(proxy, { isolate: true, timeoutMs: 1000 });
    assert.ok(a.proxy.userId && a.proxy.password);
    assert.notEqual(`${a.proxy.userId}:${a.proxy.password}`, `${b.proxy.userId}:${b.proxy.password}`);
    assert.equal(socksAgent(proxy, { isolate: false, timeoutMs: 1000 }).proxy.userId, undefined);
    const own = socksAgent(parseProxyUrl('socks5h://me:secret@127.0.0.1:9050'), { isolate: true, timeoutMs: 1000 });
    assert.equal(own.proxy.userId, 'me');
  });

  it('redacts credentials and queries from URLs in messages', () => {
    assert.equal(redactUrl('https://user:pw@api.example.com/v1/x?key=secret'), 'https://api.example.com/v1/x');
  });
});
