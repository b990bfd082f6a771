/**
 * RPC failures that regtest cannot produce on demand, answered by a tiny HTTP peer that sends
 * exactly what Bitcoin Core sends (the bodies below are Core's). The real-Core tests are in
 * test/integration/chain/rpc.test.ts; this fake is only beside them.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { isSpecterError } from '../../../../src/errors/index.js';
import { RpcClient } from '../../../../src/managers/nodes/index.js';

type Handler = (body: { method: string; id: number; params: unknown }, res: http.ServerResponse) => void;

describe("RPC client against Core's exact failure replies", () => {
  let server: http.Server;
  let port: number;
  let handler: Handler = () => undefined;
  const seen: Array<{ url: string; authorization: string | undefined; connection: string | undefined }> = [];
  before(async () => {
    server = http.createServer((req, res) => {
      let text = '';
      req.on('data', (c: Buffer) => {
        text += c.toString();
      });
      req.on('end', () => {
        seen.push({ url: req.url!, authorization: req.headers.authorization, connection: req.headers.connection });
        handler(JSON.parse(text), res);
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
  });
  after(() => {
    server.closeAllConnections();
    server.close();
  });

  const client = (timeoutMs = 2_000) => new RpcClient({ host: '127.0.0.1', port, protocol: 'http', user: 'u', password: 'sekrit-pw' }, { timeoutMs });

  it("-28 while Core starts becomes NODE_WARMING_UP with Core's text", async () => {
    handler = (b, res) => {
      res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ result: null, error: { code: -28, message: 'Loading block index…' }, id: b.id }));
    };
    const c = client();
    await assert.rejects(c.call('getblockchaininfo'), (err: unknown) => {
      assert.ok(isSpecterError(err, 'NODE_WARMING_UP'));
      assert.match(err.message, /Loading block index/);
      assert.match(err.hint ?? '', /Wait until bitcoind/);
      return true;
    });
    c.close();
  });

  it('HTTP 503 "Work queue depth exceeded" becomes NODE_BUSY', async () => {
    handler = (_b, res) => {
      res.writeHead(503);
      res.end('Work queue depth exceeded');
    };
    const c = client();
    await assert.rejects(c.call('getblockcount'), (err: unknown) => isSpecterError(err, 'NODE_BUSY') && /rpcworkqueue/.test(err.hint ?? ''));
    c.close();
  });

  it('HTTP 503 with an empty body (Core shutting down) becomes NODE_UNREACHABLE with the "is bitcoind running" fix, not "busy"', async () => {
    handler = (_b, res) => {
      res.writeHead(503);
      res.end();
    };
    const c = client();
    await assert.rejects(c.call('getblockcount'), (err: unknown) => {
      assert.ok(isSpecterError(err, 'NODE_UNREACHABLE'));
      assert.match(err.message, /is shutting down/);
      assert.match(err.hint ?? '', /Check that bitcoind is running/);
      return true;
    });
    c.close();
  });

  it('a reply that is not JSON-RPC becomes RPC_BAD_RESPONSE', async () => {
    handler = (_b, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<html>router login</html>');
    };
    const c = client();
    await assert.rejects(c.call('getblockcount'), (err: unknown) => isSpecterError(err, 'RPC_BAD_RESPONSE'));
    c.close();
  });

  it('a peer that never answers becomes NODE_TIMEOUT after the per-call timeout', async () => {
    handler = () => undefined;
    const c = client(60_000);
    await assert.rejects(c.call('getblockcount', [], { timeoutMs: 150 }), (err: unknown) => {
      assert.ok(isSpecterError(err, 'NODE_TIMEOUT'));
      assert.equal(err.details.timeoutMs, 150);
      return true;
    });
    c.close();
  });

  it("the caller's AbortSignal cancels a call", async () => {
    handler = () => undefined;
    const c = client(60_000);
    const ac = new AbortController();
    const pending = c.call('getblockcount', [], { signal: ac.signal });
    ac.abort(new Error('user went away'));
    await assert.rejects(pending, /user went away/);
    c.close();
  });

  it('keeps sockets alive, encodes wallet names, and never shows the password', async () => {
    handler = (b, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ result: b.method, error: null, id: b.id }));
    };
    seen.length = 0;
    const c = client();
    assert.equal(await c.call('getwalletinfo', [], { wallet: 'specteradmin/my wallet' }), 'getwalletinfo');
    assert.equal(await c.call('getblockcount'), 'getblockcount');
    assert.equal(seen[0]!.url, '/wallet/specteradmin%2Fmy%20wallet');
    assert.equal(seen[1]!.url, '/');
    assert.equal(seen[0]!.connection, 'keep-alive');
    assert.equal(seen[0]!.authorization, `Basic ${Buffer.from('u:sekrit-pw').toString('base64')}`);
    const { inspect } = await import('node:util');
    assert.doesNotMatch(`${inspect(c, { depth: 5 })} ${JSON.stringify(c)} ${c.url}`, /sekrit-pw|dTpzZWtyaXQtcHc/);
    c.close();
  });
});
