import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createTestSpecter } from '../../../src/testing/index.js';
import { fixturePackage } from '../../helpers/ext-packages.js';

// The bound is the node:test timeout: without the callback timeout the first page would never
// answer and the test would be cancelled. No wall-clock assertion.
test('a plugin whose callbacks never return: health, static and login answer; the plugin is switched off with the reason', {
  timeout: 20_000,
}, async (t) => {
  const app = await createTestSpecter({
    extensions: [await fixturePackage('hangs')],
    config: { EXTENSION_CALLBACK_TIMEOUT: 50, EXTENSION_ERROR_THRESHOLD: 3 },
  });
  t.after(() => app.close());
  await app.setAuth('passwordonly', 'a password');

  assert.equal((await app.app.inject('/api/v1/health')).statusCode, 200, 'health never waits on plugins');
  assert.equal((await app.app.inject('/static/css/specter.css')).statusCode, 200, 'static files never wait on plugins');
  const client = app.client();
  for (let i = 0; i < 3; i++) assert.equal((await client.get('/spc/auth/login')).statusCode, 200, `login page #${i + 1} answers`);
  const health = app.specter.extensionManager.health;
  assert.equal(health.isTripped('hangs'), true, 'switched off after the threshold');
  assert.match(health.tripInfo('hangs')!.reason, /did not finish callback:flask_before_request within 50 ms/);

  const admin = await app.login('a password');
  const choose = await admin.get('/spc/plugins/choose');
  assert.equal(choose.statusCode, 200);
  assert.match(choose.body, /did not finish callback:flask_before_request within 50 ms/, 'the reason is shown to the admin');
});

test('a plugin route that hangs answers 503 naming the plugin; route failures count for its circuit breaker', { timeout: 20_000 }, async (t) => {
  const app = await createTestSpecter({
    extensions: [await fixturePackage('slowroute')],
    config: { HANDLER_TIMEOUT: 100, EXTENSION_ERROR_THRESHOLD: 3 },
  });
  t.after(() => app.close());
  const client = app.client();
  const hung = await client.get('/spc/ext/slowroute/');
  assert.equal(hung.statusCode, 503);
  assert.match(hung.body, /The plugin &quot;Slow Route&quot; failed/);
  const boom = await client.get('/spc/ext/slowroute/boom');
  assert.equal(boom.statusCode, 500);
  assert.match(boom.body, /The plugin &quot;Slow Route&quot; failed/);
  assert.equal(app.specter.extensionManager.health.consecutiveFailures('slowroute'), 2);
  await client.get('/spc/ext/slowroute/boom');
  assert.equal(app.specter.extensionManager.health.isTripped('slowroute'), true);
  const off = await client.get('/spc/ext/slowroute/boom');
  assert.equal(off.statusCode, 503, 'a switched-off plugin is not served');
  assert.match(off.body, /The plugin &quot;Slow Route&quot; is switched off after 3 consecutive errors/, 'its page says so, with the reason');
  assert.match(off.body, /href="\/spc\/plugins\/choose#plugin-admin-slowroute"/, 'and links to the switch');
});

test('a client that sends half a body is cut off by the request timeout', { timeout: 20_000 }, async (t) => {
  const app = await createTestSpecter({ config: { REQUEST_TIMEOUT: 200 } });
  t.after(() => app.close());
  const address = await app.app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = new URL(address);
  const net = await import('node:net');
  const closed = await new Promise<string>((resolve) => {
    const socket = net.connect(Number(port), '127.0.0.1', () => {
      socket.write(
        'POST /spc/auth/login HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 1000\r\n\r\npassword=',
      );
    });
    let answer = '';
    socket.on('data', (d) => {
      answer += d.toString();
    });
    socket.on('close', () => resolve(answer));
  });
  assert.match(closed, /^HTTP\/1\.1 408/, 'the server answers 408 and closes');
});
