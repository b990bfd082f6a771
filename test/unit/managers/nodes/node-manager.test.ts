/** NodeManager without a node: Specter's files, the active-node fallback, and the version check. */
import assert from 'node:assert/strict';
import http from 'node:http';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, it } from 'node:test';
import { isSpecterError } from '../../../../src/errors/index.js';
import { createLogger } from '../../../../src/log/index.js';
import { ConfigManager } from '../../../../src/managers/config/config-manager.js';
import { NodeManager, testOneConnection } from '../../../../src/managers/nodes/index.js';
import { JsonFileStore } from '../../../../src/persistence/index.js';

const logger = createLogger({ level: 'silent' });
const dirs: string[] = [];
afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

/** A data folder as Specter Desktop leaves it: config.json and two node files. */
async function specterFolder(activeNodeAlias: unknown): Promise<NodeManager> {
  const dir = await mkdtemp(path.join(tmpdir(), 'specter-nodes-unit-'));
  dirs.push(dir);
  await mkdir(path.join(dir, 'nodes'));
  await writeFile(path.join(dir, 'config.json'), JSON.stringify({ active_node_alias: activeNodeAlias, auth: { method: 'none' } }));
  await writeFile(
    path.join(dir, 'nodes', 'my_core.json'),
    JSON.stringify({
      python_class: 'cryptoadvance.specter.node.Node',
      name: 'My Core',
      alias: 'my_core',
      port: '8332',
      user: 'u',
      password: 'p',
      autodetect: false,
    }),
  );
  await writeFile(path.join(dir, 'nodes', 'another.json'), JSON.stringify({ name: 'Another', alias: 'another', port: null, host: null }));
  const store = new JsonFileStore({ logger });
  const config = new ConfigManager(dir, store);
  await config.load();
  return new NodeManager(dir, store, config, { logger, env: {} });
}

describe('active node', () => {
  for (const value of ['default', null, 'ghost', '']) {
    it(`active_node_alias ${JSON.stringify(value)} falls back to the first node`, async () => {
      const nodes = await specterFolder(value);
      assert.equal((await nodes.active())?.alias, 'another');
      assert.equal(nodes.status().connected, false, 'status never throws');
    });
  }

  it('a valid active_node_alias is used, and setActive refuses an unknown alias', async () => {
    const nodes = await specterFolder('my_core');
    assert.equal((await nodes.active())?.alias, 'my_core');
    assert.equal((await nodes.get('my_core')).port, 8332);
    await assert.rejects(nodes.setActive('ghost'), (err: unknown) => isSpecterError(err, 'NODE_NOT_FOUND'));
    await nodes.setActive('another');
    assert.equal((await nodes.active())?.alias, 'another');
  });

  it('add refuses an unknown node type and a bad port before connecting, saving nothing', async () => {
    const nodes = await specterFolder('my_core');
    await assert.rejects(
      nodes.add({ name: 'Typed', autodetect: false, port: 1, type: 'nope' }),
      (err: unknown) => isSpecterError(err, 'NODE_INVALID') && err.details.field === 'type' && /bitcoincore/.test(err.hint ?? ''),
    );
    await assert.rejects(
      nodes.add({ name: 'Port', autodetect: false, port: '99999' }),
      (err: unknown) => isSpecterError(err, 'NODE_INVALID') && err.details.field === 'port',
    );
    assert.deepEqual(
      (await nodes.list()).map((n) => n.alias),
      ['another', 'my_core'],
    );
  });

  it('removing the active node makes the next one active; with none left, client() says what is missing', async () => {
    const nodes = await specterFolder('another');
    await nodes.remove('another');
    assert.equal((await nodes.active())?.alias, 'my_core');
    await nodes.remove('my_core');
    assert.equal(await nodes.active(), undefined);
    await assert.rejects(nodes.client(), (err: unknown) => isSpecterError(err, 'NODE_NONE'));
    assert.equal((await nodes.refreshStatus()).connected, false);
  });
});

describe('connection test: version check', () => {
  it('a Core older than 25.0 fails the "recent version" check (Core\'s reply shape, from a fake beside the real tests)', async () => {
    const server = http.createServer((req, res) => {
      let text = '';
      req.on('data', (c: Buffer) => {
        text += c.toString();
      });
      req.on('end', () => {
        const { method, id } = JSON.parse(text);
        const result = method === 'getnetworkinfo' ? { version: 240100, subversion: '/Satoshi:24.1.0/' } : { chain: 'regtest', blocks: 0 };
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ result, error: null, id }));
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const port = (server.address() as AddressInfo).port;
      const r = await testOneConnection({ host: '127.0.0.1', port, protocol: 'http', user: 'u', password: 'p', source: 'test', network: undefined });
      assert.deepEqual(
        r.checks.map((c) => c.ok),
        [true, true, false, null],
      );
      assert.equal(r.failure?.code, 'SPECTER_ERR_NODE_VERSION_TOO_OLD');
      assert.match(r.failure?.message ?? '', /24\.1\.0.*needs 25\.0\.0 or newer/);
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });
});
