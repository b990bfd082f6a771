/** NodeManager against real regtest nodes: the connection test, autodetect, files, logs and status. */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { isSpecterError } from '../../../src/errors/index.js';
import { createLogger } from '../../../src/log/index.js';
import { ConfigManager } from '../../../src/managers/config/config-manager.js';
import { NodeManager } from '../../../src/managers/nodes/index.js';
import { JsonFileStore } from '../../../src/persistence/index.js';
import { bitcoindSkip, startBitcoind, type Bitcoind } from '../../helpers/bitcoind.js';
import { snapshot } from '../../helpers/files.js';

interface Env {
  dir: string;
  nodes: NodeManager;
  config: ConfigManager;
  logs: string[];
}

async function makeEnv(): Promise<Env> {
  const dir = await mkdtemp(path.join(tmpdir(), 'specter-nodes-'));
  const logs: string[] = [];
  const logger = createLogger({
    level: 'trace',
    destination: {
      write: (line: string) => {
        logs.push(line);
      },
    },
  });
  const store = new JsonFileStore({ logger });
  const config = new ConfigManager(dir, store);
  await config.load();
  // An empty environment: BTC_RPC_* of the machine running the tests must not leak in.
  const nodes = new NodeManager(dir, store, config, { logger, env: {}, pollIntervalMs: 50 });
  return { dir, nodes, config, logs };
}

describe('NodeManager on regtest', { skip: bitcoindSkip() }, () => {
  let core: Bitcoind;
  let cookieCore: Bitcoind;
  const envs: Env[] = [];
  const env = async (): Promise<Env> => {
    const e = await makeEnv();
    envs.push(e);
    return e;
  };
  before(async () => {
    core = await startBitcoind(undefined, { faucet: false });
    cookieCore = await startBitcoind(undefined, { faucet: false, cookie: true });
  });
  after(async () => {
    for (const e of envs) {
      e.nodes.stop();
      await rm(e.dir, { recursive: true, force: true });
    }
    await core?.destroy();
    await cookieCore?.destroy();
  });

  it('adds a node after the four checks pass: file mode 0600, first node active, password in no view and no log', async () => {
    const e = await env();
    const conn = await core.connection();
    const { node, tests } = await e.nodes.add({
      name: 'Bitcoin Core',
      autodetect: false,
      host: '127.0.0.1',
      port: conn.port,
      user: conn.user,
      password: conn.password,
    });
    assert.equal(node.alias, 'bitcoin_core');
    assert.deepEqual(
      tests.checks.map((c) => [c.name, c.ok]),
      [
        ['connectable', true],
        ['credentials', true],
        ['version', true],
        ['wallets', true],
      ],
    );
    assert.equal(tests.info?.chain, 'regtest');
    const file = path.join(e.dir, 'nodes', 'bitcoin_core.json');
    assert.equal((await stat(file)).mode & 0o777, 0o600);
    const saved = JSON.parse(await readFile(file, 'utf8'));
    for (const f of ['name', 'alias', 'autodetect', 'datadir', 'user', 'password', 'port', 'host', 'protocol', 'node_type', 'type'])
      assert.ok(f in saved, f);
    assert.equal(saved.password, conn.password, "Specter's format keeps the password in the (0600) node file");
    assert.equal((await e.nodes.active())?.alias, 'bitcoin_core');
    assert.equal(e.config.values.active_node_alias, 'bitcoin_core');
    const views = JSON.stringify([
      node,
      tests,
      await e.nodes.list(),
      await e.nodes.get('bitcoin_core'),
      await e.nodes.active(),
      await e.nodes.refreshStatus(),
    ]);
    assert.doesNotMatch(views, new RegExp(conn.password));
    assert.ok(
      e.logs.some((l) => /node added/.test(l)),
      'the add is logged',
    );
    assert.doesNotMatch(e.logs.join(''), new RegExp(conn.password));
  });

  it('a wrong password fails the credentials check with its fix and saves nothing', async () => {
    const e = await env();
    const conn = await core.connection();
    const settings = { name: 'Bad', autodetect: false, host: '127.0.0.1', port: conn.port, user: conn.user, password: 'not-the-password' };
    const tests = await e.nodes.testConnection(settings);
    assert.equal(tests.ok, false);
    assert.deepEqual(
      tests.checks.map((c) => c.ok),
      [true, false, null, null],
    );
    assert.equal(tests.failure?.check, 'credentials');
    assert.equal(tests.failure?.code, 'SPECTER_ERR_NODE_AUTH_FAILED');
    assert.match(tests.failure?.hint ?? '', /rpcpassword/);
    await assert.rejects(e.nodes.add(settings), (err: unknown) => isSpecterError(err, 'NODE_AUTH_FAILED') && err.details.check === 'credentials');
    assert.deepEqual(await snapshot(path.join(e.dir, 'nodes')), {});
    assert.deepEqual(await e.nodes.list(), []);
    assert.doesNotMatch(e.logs.join(''), /not-the-password/);
  });

  it('update runs the connection test too: a wrong password leaves the file as it was', async () => {
    const e = await env();
    const conn = await core.connection();
    await e.nodes.add({ name: 'Edited', autodetect: false, host: '127.0.0.1', port: String(conn.port), user: conn.user, password: conn.password });
    const before = await snapshot(path.join(e.dir, 'nodes'));
    await assert.rejects(e.nodes.update('edited', { password: 'wrong-again' }), (err: unknown) => isSpecterError(err, 'NODE_AUTH_FAILED'));
    assert.deepEqual(await snapshot(path.join(e.dir, 'nodes')), before);
    const { node } = await e.nodes.update('edited', { name: 'Edited twice', host: 'http://127.0.0.1' });
    assert.equal(node.alias, 'edited', 'the alias stays');
    assert.equal(node.name, 'Edited twice');
    assert.equal(node.protocol, 'http');
    assert.equal(node.host, '127.0.0.1');
    await assert.rejects(
      e.nodes.add({ name: 'edited twice', autodetect: false, host: '127.0.0.1', port: conn.port, user: conn.user, password: conn.password }),
      (err: unknown) => isSpecterError(err, 'NODE_EXISTS'),
    );
  });

  it('a wrong port fails the connectable check', async () => {
    const e = await env();
    const conn = await core.connection();
    await assert.rejects(
      e.nodes.add({ name: 'Bad port', autodetect: false, host: '127.0.0.1', port: core.p2pPort, user: conn.user, password: conn.password }),
      (err: unknown) =>
        isSpecterError(err, 'NODE_UNREACHABLE') && err.details.check === 'connectable' && /Connection test "connectable" failed/.test(err.message),
    );
    assert.deepEqual(await snapshot(path.join(e.dir, 'nodes')), {});
  });

  it('a Core with -disablewallet fails the wallets check', async (t) => {
    const e = await env();
    const nowallet = await startBitcoind(t, { faucet: false, args: ['-disablewallet'] });
    const conn = await nowallet.connection();
    const tests = await e.nodes.testConnection({
      name: 'No wallet',
      autodetect: false,
      host: '127.0.0.1',
      port: conn.port,
      user: conn.user,
      password: conn.password,
    });
    assert.deepEqual(
      tests.checks.map((c) => c.ok),
      [true, true, true, false],
    );
    assert.equal(tests.failure?.code, 'SPECTER_ERR_NODE_WALLETS_DISABLED');
    assert.match(tests.failure?.hint ?? '', /disablewallet/);
    await assert.rejects(
      e.nodes.add({ name: 'No wallet', autodetect: false, host: '127.0.0.1', port: conn.port, user: conn.user, password: conn.password }),
      (err: unknown) => isSpecterError(err, 'NODE_WALLETS_DISABLED'),
    );
    assert.deepEqual(await e.nodes.list(), []);
  });

  it('autodetects from the datadir: the .cookie first, rpcuser/rpcpassword of bitcoin.conf otherwise', async () => {
    const e = await env();
    const byCookie = await e.nodes.add({ name: 'Cookie node', autodetect: true, datadir: cookieCore.datadir });
    assert.match(byCookie.tests.connection?.source ?? '', /^cookie .*regtest\/\.cookie$/);
    assert.equal(byCookie.tests.connection?.port, cookieCore.rpcPort, 'rpcport from the [regtest] section');
    const file = JSON.parse(await readFile(path.join(e.dir, 'nodes', 'cookie_node.json'), 'utf8'));
    assert.equal(file.password, '', 'the cookie changes at each start: it is read at connect time, never stored');
    const byConf = await e.nodes.add({ name: 'Conf node', autodetect: true, datadir: core.datadir });
    assert.match(byConf.tests.connection?.source ?? '', /^bitcoin\.conf /);
    assert.equal(await e.nodes.client('conf_node').then((c) => c.call<number>('getblockcount')), 0);
  });

  it('a bitcoin.conf with garbage is a clear error naming the file and line; nothing saved', async () => {
    const e = await env();
    const datadir = await mkdtemp(path.join(tmpdir(), 'specter-badconf-'));
    try {
      await writeFile(path.join(datadir, 'bitcoin.conf'), 'server=1\nrpcuser=alice\n\u0007garbage garbage\n');
      const tests = await e.nodes.testConnection({ name: 'Garbage', autodetect: true, datadir });
      assert.equal(tests.failure?.code, 'SPECTER_ERR_NODE_CONF_INVALID');
      assert.equal(tests.failure?.message, `${path.join(datadir, 'bitcoin.conf')} line 3: contains binary data, not text.`);
      await assert.rejects(
        e.nodes.add({ name: 'Garbage', autodetect: true, datadir }),
        (err: unknown) => isSpecterError(err, 'NODE_CONF_INVALID') && /line 3/.test(err.message),
      );
      assert.deepEqual(await e.nodes.list(), []);
    } finally {
      await rm(datadir, { recursive: true, force: true });
    }
  });

  it('status: connected, then disconnected "as of block N" when bitcoind stops, reconnected after it starts (new cookie)', async (t) => {
    const e = await env();
    const moving = await startBitcoind(t, { cookie: true });
    await e.nodes.add({ name: 'Moving', autodetect: true, datadir: moving.datadir });
    const up = await e.nodes.refreshStatus();
    assert.equal(up.connected, true);
    assert.equal(up.chain, 'regtest');
    assert.equal(up.blocks, 101);
    assert.equal(up.headers, 101);
    assert.ok(up.version! >= 250000);
    assert.equal(up.error, null);
    await moving.mine(2);
    assert.equal((await e.nodes.refreshStatus()).blocks, 103);

    await moving.stop();
    const down = await e.nodes.refreshStatus();
    assert.equal(down.connected, false);
    assert.equal(down.blocks, 103, 'the last known height stays');
    assert.equal(down.errorCode, 'SPECTER_ERR_NODE_UNREACHABLE');
    assert.equal(e.nodes.status().connected, false, 'status() is the cached value');

    await moving.start();
    // The background poll (50 ms here) reconnects by itself; bounded wait, no timing assertion.
    await e.nodes.startPolling();
    for (let i = 0; i < 400 && !e.nodes.status().connected; i++) await sleep(50);
    const back = e.nodes.status();
    assert.equal(back.connected, true, `reconnected: ${back.error}`);
    assert.equal(back.blocks, 103);
    e.nodes.stop();
  });
});
