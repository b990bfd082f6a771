/**
 * Tor against Debian's real `tor` (offline: its only bridge is 127.0.0.1:9, so it reaches nothing
 * outside this machine): the built-in daemon with our torrc, the control port, the onion service
 * and its stable address, stopping without leftovers, a custom Tor with a wrong password, and the
 * per-request SOCKS credentials Tor receives (seen by a byte tap in front of its SOCKS port).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { isSpecterError } from '../../../src/errors/index.js';
import { createLogger } from '../../../src/log/index.js';
import { ConfigManager } from '../../../src/managers/config/index.js';
import { HostHttpClient } from '../../../src/net/index.js';
import { JsonFileStore } from '../../../src/persistence/index.js';
import { TorControlClient, TorService } from '../../../src/tor/index.js';
import { createTestSpecter } from '../../../src/testing/index.js';
import { freePort, processAlive, startSocksTap, torSkip, TOR_BIN, waitForExit, waitForPort } from '../../helpers/tor.js';

const skip = torSkip();

async function tempFolder(t: { after(fn: () => Promise<void>): void }): Promise<string> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'specter-tor-'));
  t.after(() => fs.rm(dir, { recursive: true, force: true }));
  return dir;
}

async function torService(dataFolder: string, lines: string[] = []): Promise<TorService> {
  const logger = createLogger({ level: 'debug', destination: { write: (s: string) => void lines.push(s) } });
  const config = new ConfigManager(dataFolder, new JsonFileStore({ logger }));
  await config.load();
  await config.update({ tor_path: TOR_BIN });
  return new TorService({ dataFolder, config, logger, authMethod: () => 'passwordonly', offline: true });
}

const mode = async (file: string) => (await fs.stat(file)).mode & 0o777;

describe('built-in Tor (real tor)', { skip }, () => {
  it('starts tor with our torrc, authenticates, publishes a stable onion address, and stops without leftovers', async (t) => {
    const dir = await tempFolder(t);
    const lines: string[] = [];
    const tor = await torService(dir, lines);
    t.after(() => tor.stop());
    tor.setAppTarget('127.0.0.1', 25441);
    const status = await tor.update({ tor_type: 'builtin' });
    assert.equal(status.running, true, status.problem ?? '');
    assert.equal(status.proxy_reachable, true);
    assert.match(status.version ?? '', /^\d+\.\d+/);
    assert.match(status.proxy_url ?? '', /^socks5h:\/\/127\.0\.0\.1:\d+$/);
    const pid = status.pid!;
    assert.ok(processAlive(pid));
    assert.equal(await tor.isTorDaemonRunning(), true);

    // The torrc holds the hash, the password lives only in its own 0600 file.
    const password = (await fs.readFile(path.join(dir, 'tor', 'control_password'), 'utf8')).trim();
    const torrc = await fs.readFile(tor.builtin.torrcPath, 'utf8');
    assert.match(torrc, /^HashedControlPassword 16:[0-9A-F]{58}$/m);
    assert.ok(!torrc.includes(password));
    assert.equal(await mode(path.join(dir, 'tor', 'control_password')), 0o600);
    assert.equal(await mode(path.join(dir, 'tor')), 0o700);
    assert.ok(!(await fs.readFile(path.join(dir, 'config.json'), 'utf8')).includes(password));

    // The control port takes the stored password (and refuses another).
    const control = await TorControlClient.connect({ port: status.control_port! });
    await assert.rejects(control.authenticate({ password: 'wrong' }), (err) => isSpecterError(err, 'TOR_CONTROL_AUTH_FAILED'));
    control.close();

    const published = await tor.setHiddenService(true);
    const onion = published.onion_address!;
    assert.match(onion, /^[a-z2-7]{56}\.onion$/);
    assert.equal(await mode(path.join(dir, 'tor', 'onion_key')), 0o600);
    const key = (await fs.readFile(path.join(dir, 'tor', 'onion_key'), 'utf8')).trim();
    assert.match(key, /^ED25519-V3:/);

    await tor.stop();
    assert.equal(await waitForExit(pid), true, 'tor is gone after stop');
    assert.equal((await tor.status()).running, false);

    // A new service on the same folder (an app restart): the same address.
    const again = await torService(dir, lines);
    t.after(() => again.stop());
    again.setAppTarget('127.0.0.1', 25441);
    await again.start();
    const after = await again.status();
    assert.equal(after.onion_address, onion);
    assert.notEqual(after.pid, pid);
    await again.stop();
    assert.equal(await waitForExit(after.pid!), true);

    // No secret in any log line.
    const log = lines.join('\n');
    for (const secret of [password, key.slice('ED25519-V3:'.length)]) assert.ok(!log.includes(secret), 'a secret reached the log');
  });

  it('proxied requests carry different SOCKS credentials each (stream isolation), as Tor receives them', async (t) => {
    const dir = await tempFolder(t);
    const tor = await torService(dir);
    t.after(() => tor.stop());
    const status = await tor.update({ tor_type: 'builtin' });
    const socksPort = Number(new URL(status.proxy_url!).port);
    const tap = await startSocksTap(t, socksPort);
    const http = new HostHttpClient({ name: 'isolation test', proxy: () => ({ proxyUrl: tap.url, onlyTor: true }) });
    // Offline Tor cannot reach the destination: each request fails, but only after Tor took the credentials.
    for (let i = 0; i < 2; i++) {
      await assert.rejects(
        http.request('http://exampleexampleexample.onion/', { timeoutMs: 3_000 }),
        (err) => isSpecterError(err) && ['SPECTER_ERR_NET_PROXY_UNAVAILABLE', 'SPECTER_ERR_NET_TIMEOUT'].includes(err.code),
      );
    }
    assert.equal(tap.sessions.length, 2);
    for (const s of tap.sessions) {
      assert.ok(s.offered.includes(2), 'username/password offered');
      assert.equal(s.chosen, 2, 'Tor chose username/password');
      assert.ok(s.username && s.password);
    }
    assert.notEqual(`${tap.sessions[0]!.username}:${tap.sessions[0]!.password}`, `${tap.sessions[1]!.username}:${tap.sessions[1]!.password}`);
  });

  it('custom Tor: a wrong control password is a clear error and nothing is saved; the right one works', async (t) => {
    const builtinDir = await tempFolder(t);
    const real = await torService(builtinDir);
    t.after(() => real.stop());
    const running = await real.update({ tor_type: 'builtin' });
    const password = (await fs.readFile(path.join(builtinDir, 'tor', 'control_password'), 'utf8')).trim();

    const dir = await tempFolder(t);
    const custom = await torService(dir);
    t.after(() => custom.stop());
    const input = { tor_type: 'custom', proxy_url: running.proxy_url!, tor_control_port: String(running.control_port) };
    await assert.rejects(custom.update({ ...input, tor_control_password: 'not-the-password' }), (err) => {
      assert.ok(isSpecterError(err, 'TOR_CONTROL_AUTH_FAILED'), String(err));
      assert.match(err.message, /refused the credentials/);
      return true;
    });
    assert.equal(custom.type, 'none', 'not saved');
    await assert.rejects(fs.stat(path.join(dir, 'tor', 'custom_control_password')));

    const ok = await custom.update({ ...input, tor_control_password: password });
    assert.equal(ok.type, 'custom');
    assert.equal(ok.running, true, ok.problem ?? '');
    assert.equal(ok.pid, null);
    assert.equal(await mode(path.join(dir, 'tor', 'custom_control_password')), 0o600);
    assert.ok(!(await fs.readFile(path.join(dir, 'config.json'), 'utf8')).includes(password));
  });

  it('custom Tor with cookie authentication: no password given, the cookie Tor names in PROTOCOLINFO is used', async (t) => {
    // A user's own tor, started by the test (offline like the built-in one), cookie auth only.
    const own = await tempFolder(t);
    const [socksPort, controlPort] = [await freePort(), await freePort()];
    const torrc = [
      `DataDirectory ${path.join(own, 'data')}`,
      `SocksPort 127.0.0.1:${socksPort}`,
      `ControlPort 127.0.0.1:${controlPort}`,
      'CookieAuthentication 1',
      `CookieAuthFile ${path.join(own, 'control_auth_cookie')}`,
      'UseBridges 1',
      'Bridge 127.0.0.1:9',
      `__OwningControllerProcess ${process.pid}`,
      'Log err stdout',
    ].join('\n');
    await fs.writeFile(path.join(own, 'torrc'), torrc);
    const child = spawn(TOR_BIN, ['-f', path.join(own, 'torrc'), '--defaults-torrc', path.join(own, 'none')], { stdio: 'ignore' });
    const exited = new Promise((resolve) => child.once('exit', resolve));
    t.after(async () => {
      child.kill('SIGKILL');
      await exited;
    });
    await waitForPort(controlPort, '127.0.0.1', 200);

    const dir = await tempFolder(t);
    const custom = await torService(dir);
    t.after(() => custom.stop());
    const status = await custom.update({ tor_type: 'custom', proxy_url: `socks5h://localhost:${socksPort}`, tor_control_port: String(controlPort) });
    assert.equal(status.running, true, status.problem ?? '');
    assert.equal(status.proxy_reachable, true);
    assert.equal(status.control_port, controlPort);
    // A cookie file that cannot be read is a clear error.
    await assert.rejects(custom.update({ tor_cookie_file: path.join(own, 'missing_cookie') }), (err) =>
      isSpecterError(err, 'TOR_CONTROL_AUTH_FAILED'),
    );
  });

  it('the app: Tor starts and stops with it, the onion address survives a restart and passes the Host allow-list', async (t) => {
    const dir = await tempFolder(t);
    const boot = async () => {
      const app = await createTestSpecter({ dataFolder: dir });
      await app.specter.configManager.update({ tor_path: TOR_BIN });
      await app.app.listen({ host: '127.0.0.1', port: 0 });
      return app;
    };
    const first = await boot();
    t.after(() => first.close());
    await first.setAuth('passwordonly', 'a-long-password');
    await first.specter.tor.update({ tor_type: 'builtin' });
    const published = await first.specter.tor.setHiddenService(true);
    const onion = published.onion_address!;
    assert.ok(onion);
    const foreign = await first.app.inject({ url: '/api/v1/health', headers: { host: 'elsewhere.example' } });
    assert.equal(foreign.statusCode, 403);
    const viaOnion = await first.app.inject({ url: '/api/v1/health', headers: { host: onion } });
    assert.equal(viaOnion.statusCode, 200);
    const pid = published.pid!;
    await first.close();
    assert.equal(await waitForExit(pid), true, 'closing the app stops tor');

    const second = await boot();
    t.after(() => second.close());
    await second.specter.tor.start(); // waits for the start the server began when it listened
    const status = await second.specter.tor.status();
    assert.equal(status.onion_address, onion);
    assert.equal((await second.app.inject({ url: '/api/v1/health', headers: { host: onion } })).statusCode, 200);
    const pid2 = status.pid!;
    await second.close();
    assert.equal(await waitForExit(pid2), true);
  });
});
