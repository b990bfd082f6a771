/**
 * The Bitcoin Core RPC client through a SOCKS proxy, against a real regtest bitcoind and microsocks
 * (which binds its outgoing side to 127.0.0.2; bitcoind allows 127.0.0.0/8 and logs nothing we
 * need: the answer itself shows the call went through). A `.onion` node takes this path in the
 * app (TorService.agentFor); a real onion needs the Tor network, which no test reaches, so the
 * route is forced here and the `.onion` decision is checked on TorService itself.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { isSpecterError } from '../../../src/errors/index.js';
import { createLogger } from '../../../src/log/index.js';
import { ConfigManager } from '../../../src/managers/config/index.js';
import { RpcClient } from '../../../src/managers/nodes/rpc-client.js';
import { parseProxyUrl, socksAgent } from '../../../src/net/index.js';
import { JsonFileStore } from '../../../src/persistence/index.js';
import { TorService } from '../../../src/tor/index.js';
import { bitcoindSkip, startBitcoind } from '../../helpers/bitcoind.js';
import { freePort, microsocksSkip, startMicrosocks } from '../../helpers/tor.js';

const skip = bitcoindSkip() || microsocksSkip();

describe('Bitcoin Core RPC through a SOCKS proxy', () => {
  it('calls reach the node through microsocks; with the proxy down they fail and nothing goes direct', { skip }, async (t) => {
    const core = await startBitcoind(t, { faucet: false, args: ['-rpcallowip=127.0.0.0/8'] });
    const proxy = await startMicrosocks(t);
    const connection = await core.connection();
    const viaProxy = new RpcClient(connection, {
      agentFor: () => socksAgent(parseProxyUrl(proxy.url), { isolate: false, keepAlive: true, timeoutMs: 10_000 }),
    });
    t.after(() => viaProxy.close());
    const info = await viaProxy.call<{ chain: string }>('getblockchaininfo');
    assert.equal(info.chain, 'regtest');
    const [a, b] = await viaProxy.batch<[number, string]>([{ method: 'getblockcount' }, { method: 'getbestblockhash' }]);
    assert.ok(a.ok && b.ok);

    const dead = await freePort();
    const down = new RpcClient(connection, {
      timeoutMs: 5_000,
      agentFor: () => socksAgent(parseProxyUrl(`socks5h://127.0.0.1:${dead}`), { isolate: false, timeoutMs: 5_000 }),
    });
    t.after(() => down.close());
    await assert.rejects(down.call('getblockcount'), (err) => isSpecterError(err) && /127\.0\.0\.1/.test(err.message));
  });

  it('TorService routes a .onion node through its proxy, keeps a local node direct, and refuses a .onion without Tor', async (t) => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'specter-rpc-tor-'));
    t.after(() => fs.rm(dir, { recursive: true, force: true }));
    const logger = createLogger({ level: 'silent' });
    const config = new ConfigManager(dir, new JsonFileStore({ logger }));
    await config.load();
    const tor = new TorService({ dataFolder: dir, config, logger, authMethod: () => 'none' });
    const onionNode = 'abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyz2345.onion';

    const none = new RpcClient({ host: onionNode, port: 8332, protocol: 'http', user: 'u', password: 'p' }, { agentFor: (h) => tor.agentFor(h) });
    await assert.rejects(none.call('getblockcount'), (err) => isSpecterError(err, 'NET_TOR_REQUIRED'));

    await config.update({ tor_type: 'custom', proxy_url: 'socks5h://127.0.0.1:9050', only_tor: true });
    const agent = tor.agentFor(onionNode) as unknown as { proxy?: { host: string; port: number } } | undefined;
    assert.equal(agent?.proxy?.port, 9050);
    assert.equal(tor.agentFor('127.0.0.1'), undefined, 'a node on a private address stays direct under only_tor (Specter)');
    assert.ok(tor.agentFor('node.example.com'), 'a public node goes through Tor under only_tor');
  });
});
