/**
 * `/spc/nodes`, the node state in the sidebar, `/spc/setup`, the wallet page's node notice and
 * `/api/v1/nodes`, through fastify.inject against real regtest nodes (skipped without bitcoind).
 */
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { createTestSpecter, TEST_DESCRIPTORS, type TestClient, type TestSpecter } from '../../../src/testing/index.js';
import { bitcoindSkip, startBitcoind, type Bitcoind } from '../../helpers/bitcoind.js';

const nodeFiles = async (t: TestSpecter): Promise<string[]> =>
  (await readdir(path.join(t.dataFolder, 'nodes')).catch(() => [])).filter((f) => f.endsWith('.json'));

/** An entry of GET /api/v1/nodes. */
interface NodeRow {
  alias: string;
  name: string;
  active: boolean;
  connected: boolean;
  chain: string | null;
  blocks: number | null;
  error: string | null;
}

/** The manual-connection form for a regtest node's settings. */
const manualForm = (name: string, port: number, user: string, password: string) => ({
  name,
  mode: 'manual',
  host: '127.0.0.1',
  port: String(port),
  protocol: 'http',
  user,
  password,
  action: 'save',
});

/** The sidebar's node section of a page. */
function sidebarNode(html: string): string {
  const m = /<section class="sidebar-section sidebar-node"[\s\S]*?<\/section>/.exec(html);
  assert.ok(m, 'the sidebar has the node section');
  return m[0].replace(/\s+/g, ' ');
}

/** Waits (bounded) for the background poll, without asking for a refresh itself. */
async function until(what: string, check: () => boolean): Promise<void> {
  for (let i = 0; i < 600; i++) {
    if (check()) return;
    await sleep(50);
  }
  assert.fail(`timed out waiting until ${what}`);
}

describe('nodes in the web UI and the API, on regtest', { skip: bitcoindSkip() }, () => {
  let core: Bitcoind;
  let noWallet: Bitcoind;
  let t: TestSpecter;
  let admin: TestClient;
  let walletUrl: string;
  const dirs: string[] = [];

  before(async () => {
    core = await startBitcoind(undefined);
    noWallet = await startBitcoind(undefined, { faucet: false, args: ['-disablewallet'] });
    // A short poll interval: the reconnect test waits for the app to notice by itself.
    t = await createTestSpecter({ config: { NODE_POLL_INTERVAL: 0.2 } });
    admin = t.client();
    const wallet = await t.createWallet('Savings', TEST_DESCRIPTORS.singleSig);
    walletUrl = t.specter.endpoints.urlFor('wallets_endpoint.addresses', { wallet_alias: wallet.alias });
  });
  after(async () => {
    await t?.close();
    await core?.destroy();
    await noWallet?.destroy();
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });

  it('without a node: the sidebar, the setup checklist and the wallet page say a node is missing and link to /spc/nodes', async () => {
    const list = await admin.get('/spc/nodes/');
    assert.equal(list.statusCode, 200);
    assert.match(list.body, /No node yet/);
    assert.match(sidebarNode(list.body), /No node connected/);
    const setup = await admin.get('/spc/setup');
    assert.equal(setup.statusCode, 200);
    assert.match(setup.body, /data-step="node" data-done="no"/);
    assert.match(setup.body, /href="\/spc\/nodes\/new"/, 'the admin is sent to the add form (autodetect first)');
    assert.match(setup.body, /data-step="wallet" data-done="yes"/);
    const wallet = await admin.get(walletUrl);
    assert.equal(wallet.statusCode, 200);
    assert.match(wallet.body, /id="node-notice"[\s\S]*Balances and history need a Bitcoin Core node[\s\S]*href="\/spc\/nodes\/"/);
    const form = await admin.get('/spc/nodes/new');
    assert.ok(form.body.indexOf('value="autodetect"') < form.body.indexOf('value="manual"'), 'autodetect is offered first');
    assert.match(form.body, /value="autodetect" checked/);
  });

  it('a wrong password or port re-renders the form naming the failed check and its fix; nothing is saved', async () => {
    const conn = await core.connection();
    const manual = { name: 'Typo', mode: 'manual', host: '127.0.0.1', protocol: 'http', user: conn.user, action: 'save' };
    const wrongPassword = await admin.post('/spc/nodes/new', { ...manual, port: String(conn.port), password: 'not-the-password' });
    assert.equal(wrongPassword.statusCode, 400);
    assert.match(wrongPassword.body, /failed at “credentials”/);
    assert.match(wrongPassword.body, /data-check="connectable" data-ok="pass"/);
    assert.match(wrongPassword.body, /data-check="credentials" data-ok="fail"/);
    assert.match(wrongPassword.body, /data-check="version" data-ok="skipped"/);
    assert.match(wrongPassword.body, /How to fix it: .*rpcpassword/);
    assert.match(wrongPassword.body, /value="Typo"/, 'what was typed is kept');
    assert.doesNotMatch(wrongPassword.body, /not-the-password/, 'the password is never sent back');

    const wrongPort = await admin.post('/spc/nodes/new', { ...manual, port: String(core.p2pPort + 7), password: conn.password });
    assert.equal(wrongPort.statusCode, 400);
    assert.match(wrongPort.body, /failed at “connectable”/);
    assert.match(wrongPort.body, /SPECTER_ERR_NODE_(UNREACHABLE|TIMEOUT|BAD_RESPONSE)|SPECTER_ERR_RPC_BAD_RESPONSE/);
    assert.doesNotMatch(wrongPort.body, new RegExp(conn.password));

    const badPort = await admin.post('/spc/nodes/new', { ...manual, port: 'eighty', password: conn.password });
    assert.equal(badPort.statusCode, 400);
    assert.match(badPort.body, /Node setting &quot;port&quot; is invalid/);
    assert.deepEqual(await nodeFiles(t), []);
    assert.equal(t.specter.configManager.values.active_node_alias ?? 'default', 'default');
  });

  it('a Core with -disablewallet fails the wallets check; a garbage bitcoin.conf is named with its line', async () => {
    const conn = await noWallet.connection();
    const res = await admin.post('/spc/nodes/new', manualForm('No wallet', conn.port, conn.user, conn.password));
    assert.equal(res.statusCode, 400);
    assert.match(res.body, /failed at “wallets”/);
    assert.match(res.body, /data-check="version" data-ok="pass"/);
    assert.match(res.body, /How to fix it: .*disablewallet/);

    const dir = await mkdtemp(path.join(tmpdir(), 'specter-garbage-conf-'));
    dirs.push(dir);
    await writeFile(path.join(dir, 'bitcoin.conf'), 'server=1\n\u0000\u0001 this is not a setting\n[regtest\n');
    const garbage = await admin.post('/spc/nodes/new', { name: 'Garbage', mode: 'autodetect', datadir: dir, action: 'save' });
    assert.equal(garbage.statusCode, 400);
    assert.match(garbage.body, /SPECTER_ERR_NODE_CONF_INVALID/);
    assert.match(garbage.body, /bitcoin\.conf/);
    assert.deepEqual(await nodeFiles(t), []);
  });

  it("adds a node by autodetect from the data folder; the list and every page's sidebar show chain and height", async () => {
    const test = await admin.post('/spc/nodes/new', { name: 'Bitcoin Core', mode: 'autodetect', datadir: core.datadir, action: 'test' });
    assert.equal(test.statusCode, 200);
    assert.match(test.body, /all checks passed/);
    assert.deepEqual(await nodeFiles(t), [], '"Test only" saves nothing');

    const res = await admin.post('/spc/nodes/new', { name: 'Bitcoin Core', mode: 'autodetect', datadir: core.datadir, action: 'save' });
    assert.equal(res.statusCode, 302);
    assert.equal(res.headers.location, '/spc/nodes/');
    assert.deepEqual(await nodeFiles(t), ['bitcoin_core.json']);
    const list = await admin.follow(res);
    assert.match(list.body, /Node &quot;Bitcoin Core&quot; added/);
    assert.match(list.body, /data-node="bitcoin_core" class="active-node"/);
    assert.match(list.body, /connected<\/span> Regtest · block 101/);
    for (const url of ['/spc/nodes/', '/spc/welcome/about', '/spc/devices/', walletUrl, '/spc/setup']) {
      const page = await admin.get(url);
      assert.equal(page.statusCode, 200, url);
      assert.match(sidebarNode(page.body), /Bitcoin Core.*Regtest · block 101 · connected/, url);
    }
    const wallet = await admin.get(walletUrl);
    assert.doesNotMatch(wallet.body, /id="node-notice"/, 'a connected node: no notice');
    assert.match((await admin.get('/spc/setup')).body, /data-step="node" data-done="yes"/);
  });

  it('adds a manual node, edits it with a blank password (kept), switches to it, deletes it after a confirmation page', async () => {
    const conn = await core.connection();
    const add = await admin.post('/spc/nodes/new', manualForm('Manual', conn.port, conn.user, conn.password));
    assert.equal(add.statusCode, 302);
    assert.equal(await t.specter.nodeManager.activeAlias(), 'bitcoin_core', 'the first node stays active');

    const page = await admin.get('/spc/nodes/manual/');
    assert.equal(page.statusCode, 200);
    assert.doesNotMatch(page.body, new RegExp(conn.password), 'the edit form never shows the password');
    assert.match(page.body, /placeholder="unchanged"/);
    const edit = await admin.post('/spc/nodes/manual/', manualForm('Manual node', conn.port, conn.user, ''));
    assert.equal(edit.statusCode, 302, 'a blank password keeps the saved one, so the test passes');
    assert.equal((await t.specter.nodeManager.record('manual')).password, conn.password);
    assert.equal((await t.specter.nodeManager.get('manual')).name, 'Manual node');

    const badEdit = await admin.post('/spc/nodes/manual/', manualForm('Manual node', conn.port, conn.user, 'wrong'));
    assert.equal(badEdit.statusCode, 400);
    assert.match(badEdit.body, /failed at “credentials”/);
    assert.equal((await t.specter.nodeManager.record('manual')).password, conn.password, 'a failed edit saves nothing');

    const tested = await admin.post('/spc/nodes/manual/test');
    assert.equal(tested.statusCode, 200);
    assert.match(tested.body, /all checks passed/);

    const sw = await admin.post('/spc/nodes/manual/activate');
    assert.equal(sw.statusCode, 302);
    assert.equal(t.specter.configManager.values.active_node_alias, 'manual');
    assert.match(sidebarNode((await admin.get('/spc/nodes/')).body), /Manual node.*block 101 · connected/);

    const confirm = await admin.get('/spc/nodes/manual/delete');
    assert.equal(confirm.statusCode, 200);
    assert.match(confirm.body, /Delete node "Manual node"\?/);
    assert.match(confirm.body, /This is the active node/);
    const cancelled = await admin.post('/spc/nodes/manual/delete', {});
    assert.equal(cancelled.statusCode, 302);
    assert.deepEqual((await nodeFiles(t)).sort(), ['bitcoin_core.json', 'manual.json'], 'no confirmation: nothing deleted');
    const del = await admin.post('/spc/nodes/manual/delete', { confirm: 'yes' });
    assert.equal(del.statusCode, 302);
    assert.deepEqual(await nodeFiles(t), ['bitcoin_core.json']);
    assert.equal(await t.specter.nodeManager.activeAlias(), 'bitcoin_core', 'the remaining node becomes active');
    assert.equal((await admin.get('/spc/nodes/manual/')).statusCode, 404);
  });

  it('GET /api/v1/nodes and POST /api/v1/nodes (the four tests; a failure names its check and saves nothing)', async () => {
    const list = await t.app.inject({ method: 'GET', url: '/api/v1/nodes' });
    assert.equal(list.statusCode, 200);
    const { nodes } = list.json();
    assert.deepEqual(
      Object.keys(nodes[0]).sort(),
      ['active', 'alias', 'blocks', 'chain', 'connected', 'error', 'name', 'subversion', 'type', 'version'].sort(),
    );
    assert.deepEqual(
      { ...nodes[0], version: typeof nodes[0].version, subversion: typeof nodes[0].subversion },
      {
        alias: 'bitcoin_core',
        name: 'Bitcoin Core',
        type: 'bitcoincore',
        active: true,
        connected: true,
        chain: 'regtest',
        blocks: 101,
        version: 'number',
        subversion: 'string',
        error: null,
      },
    );

    const conn = await core.connection();
    const post = (payload: object) => t.app.inject({ method: 'POST', url: '/api/v1/nodes', payload });
    const bad = await post({ name: 'Api', host: '127.0.0.1', port: conn.port, user: conn.user, password: 'nope' });
    assert.equal(bad.statusCode, 502);
    const err = bad.json().error;
    assert.equal(err.code, 'SPECTER_ERR_NODE_AUTH_FAILED');
    assert.match(err.message, /Connection test "credentials" failed/);
    assert.equal(err.details.check, 'credentials');
    assert.doesNotMatch(bad.body, /nope/);
    assert.deepEqual(await nodeFiles(t), ['bitcoin_core.json']);

    const noWalletConn = await noWallet.connection();
    const disabled = await post({
      name: 'Api',
      host: '127.0.0.1',
      port: noWalletConn.port,
      user: noWalletConn.user,
      password: noWalletConn.password,
    });
    assert.equal(disabled.json().error.details.check, 'wallets');

    const shape = await post({ name: 'Api', autodetect: true, host: 'x' });
    assert.equal(shape.statusCode, 400);
    assert.match(shape.json().error.message, /host/);

    const manual = await post({ name: 'Api manual', host: '127.0.0.1', port: conn.port, protocol: 'http', user: conn.user, password: conn.password });
    assert.equal(manual.statusCode, 201);
    assert.equal(manual.json().alias, 'api_manual');
    assert.doesNotMatch(manual.body, new RegExp(conn.password));
    const created = await post({ name: 'Api auto', autodetect: true, datadir: core.datadir });
    assert.equal(created.statusCode, 201);
    const body = created.json();
    assert.equal(body.alias, 'api_auto');
    const checks = body.tests.checks.map((c: { name: string; ok: boolean }) => [c.name, c.ok]);
    assert.deepEqual(checks, [
      ['connectable', true],
      ['credentials', true],
      ['version', true],
      ['wallets', true],
    ]);
    assert.equal(body.tests.chain, 'regtest');
    const after: NodeRow[] = (await t.app.inject({ method: 'GET', url: '/api/v1/nodes' })).json().nodes;
    after.sort((a, b) => a.alias.localeCompare(b.alias));
    assert.deepEqual(
      after.map((n) => [n.alias, n.active]),
      [
        ['api_auto', false],
        ['api_manual', false],
        ['bitcoin_core', true],
      ],
    );
    assert.deepEqual(
      after.filter((n) => !n.active).map((n) => [n.connected, n.blocks, n.error]),
      [
        [false, null, null],
        [false, null, null],
      ],
      'only the active node is polled',
    );
    await t.specter.nodeManager.remove('api_auto');
    await t.specter.nodeManager.remove('api_manual');
  });

  it('bitcoind stops: pages answer 200 with "disconnected" and "as of block N"; started again, the app reconnects by itself', async () => {
    const nodes = t.specter.nodeManager;
    await until('the poll sees the node', () => nodes.status().connected);
    await core.stop();
    await until('the poll notices bitcoind is gone', () => !nodes.status().connected);
    // The first failed poll may land mid-shutdown (HTTP 503); once bitcoind is gone it is "refused".
    await until('the poll sees the node unreachable', () => nodes.status().errorCode === 'SPECTER_ERR_NODE_UNREACHABLE');
    for (const url of ['/spc/nodes/', '/spc/welcome/about', walletUrl, '/spc/setup', '/spc/nodes/bitcoin_core/', '/spc/wallets/']) {
      const page = await admin.get(url);
      assert.equal(page.statusCode, 200, url);
      assert.match(sidebarNode(page.body), /disconnected<\/span>.*Regtest · as of block 101/, url);
    }
    const wallet = await admin.get(walletUrl);
    assert.match(wallet.body, /id="node-notice"[\s\S]*is disconnected[\s\S]*as of block 101/);
    const list = await admin.get('/spc/nodes/');
    assert.match(list.body, /class="hint node-error">Bitcoin Core at [^<]*Check that bitcoind is running/, 'the list shows the error with its fix');
    const api = (await t.app.inject({ method: 'GET', url: '/api/v1/nodes' })).json().nodes[0];
    assert.deepEqual([api.connected, api.blocks, typeof api.error], [false, 101, 'string']);

    await core.start();
    await until('the poll reconnects', () => nodes.status().connected);
    assert.match(sidebarNode((await admin.get('/spc/nodes/')).body), /Regtest · block 101 · connected/);
    assert.doesNotMatch((await admin.get(walletUrl)).body, /id="node-notice"/);
  });

  it('a config.json naming a node that does not exist: the app starts and uses the first node', async () => {
    const dataFolder = await mkdtemp(path.join(tmpdir(), 'specter-stale-alias-'));
    dirs.push(dataFolder);
    const conn = await core.connection();
    await mkdir(path.join(dataFolder, 'nodes'), { recursive: true });
    await writeFile(
      path.join(dataFolder, 'nodes', 'my_core.json'),
      JSON.stringify({
        name: 'My Core',
        alias: 'my_core',
        autodetect: false,
        host: '127.0.0.1',
        port: conn.port,
        user: conn.user,
        password: conn.password,
      }),
      { mode: 0o600 },
    );
    await writeFile(path.join(dataFolder, 'config.json'), JSON.stringify({ auth: { method: 'none' }, active_node_alias: 'gone_node' }));
    const stale = await createTestSpecter({ dataFolder });
    try {
      const nodes: NodeRow[] = (await stale.app.inject({ method: 'GET', url: '/api/v1/nodes' })).json().nodes;
      assert.deepEqual(
        nodes.map((n) => [n.alias, n.active, n.connected]),
        [['my_core', true, true]],
        JSON.stringify(nodes),
      );
      const page = await stale.client().get('/spc/nodes/');
      assert.equal(page.statusCode, 200);
      assert.match(sidebarNode(page.body), /My Core.*block 101 · connected/);
    } finally {
      await stale.close();
    }
  });
});

describe('nodes pages and API without a node (no bitcoind needed)', () => {
  let t: TestSpecter;
  let bob: TestClient;
  let admin: TestClient;
  before(async () => {
    t = await createTestSpecter();
    await t.setAuth('usernamepassword', 'admin pw');
    await t.specter.userManager.addUser('bob', 'bob pw');
    admin = await t.login('admin pw', 'admin');
    bob = await t.login('bob pw', 'bob');
  });
  after(() => t.close());

  it('a user sees the nodes and the setup checklist but no admin actions; admins get the add form', async () => {
    const list = await bob.get('/spc/nodes/');
    assert.equal(list.statusCode, 200);
    assert.match(list.body, /Ask an admin to connect one/);
    assert.doesNotMatch(list.body, /href="\/spc\/nodes\/new"/);
    const setup = await bob.get('/spc/setup');
    assert.match(setup.body, /See nodes \(an admin adds them\)/);
    assert.equal((await bob.get('/spc/nodes/new')).statusCode, 403);
    const adminList = await admin.get('/spc/nodes/');
    assert.match(adminList.body, /href="\/spc\/nodes\/new"/);
    assert.equal((await admin.get('/spc/nodes/nothing/')).statusCode, 404);
  });

  it('POST /api/v1/nodes: admin only, and a body of the wrong shape is a 400 naming the field', async () => {
    const basic = (user: string, pw: string) => ({ authorization: `Basic ${Buffer.from(`${user}:${pw}`).toString('base64')}` });
    const asBob = await t.app.inject({
      method: 'POST',
      url: '/api/v1/nodes',
      headers: basic('bob', 'bob pw'),
      payload: { name: 'x', autodetect: true },
    });
    assert.equal(asBob.statusCode, 403);
    const listed = await t.app.inject({ method: 'GET', url: '/api/v1/nodes', headers: basic('bob', 'bob pw') });
    assert.deepEqual(listed.json(), { nodes: [] });
    const cases: Array<[unknown, RegExp]> = [
      [{ name: 'x', host: '127.0.0.1', user: 'u', password: 'p' }, /port/],
      [{ name: 'x', autodetect: 'yes' }, /"autodetect" must be true or false/],
      [{ autodetect: true }, /"name" is missing/],
      [{ name: 'x', autodetect: true, password: 'p' }, /Unknown field "password"/],
      [{ name: 'x', host: 'h', port: 1, user: 'u', password: 'p', protocol: 'ftp' }, /"protocol" must be "http" or "https"/],
    ];
    for (const [payload, message] of cases) {
      const res = await t.app.inject({
        method: 'POST',
        url: '/api/v1/nodes',
        headers: { ...basic('admin', 'admin pw'), 'content-type': 'application/json' },
        payload: JSON.stringify(payload),
      });
      assert.equal(res.statusCode, 400, JSON.stringify(payload));
      assert.match(res.json().error.message, message, JSON.stringify(payload));
    }
    const invalidPort = await t.app.inject({
      method: 'POST',
      url: '/api/v1/nodes',
      headers: basic('admin', 'admin pw'),
      payload: { name: 'x', host: 'h', port: 'eighty', user: 'u', password: 'p' },
    });
    assert.equal(invalidPort.statusCode, 400);
    assert.equal(invalidPort.json().error.code, 'SPECTER_ERR_NODE_INVALID');
    assert.deepEqual(await nodeFiles(t), []);
  });
});
