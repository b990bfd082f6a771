/** The RPC client against a real regtest bitcoind: calls, batches, wallet paths and each failure. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { isSpecterError } from '../../../src/errors/index.js';
import { RpcClient, rpcErrorCode } from '../../../src/managers/nodes/index.js';
import { bitcoindSkip, startBitcoind, type Bitcoind } from '../../helpers/bitcoind.js';

describe('RPC client on regtest', { skip: bitcoindSkip() }, () => {
  let node: Bitcoind;
  before(async () => {
    node = await startBitcoind(undefined);
  });
  after(() => node?.destroy());

  it('calls, and sends a batch in one request with per-item errors', async () => {
    const c = new RpcClient(await node.connection());
    const info = await c.call<{ chain: string; blocks: number }>('getblockchaininfo');
    assert.equal(info.chain, 'regtest');
    assert.equal(info.blocks, 101);
    const [count, bad, hash] = await c.batch<[number, unknown, string]>([
      { method: 'getblockcount' },
      { method: 'getblockhash', params: [9999] },
      { method: 'getblockhash', params: [101] },
    ]);
    assert.deepEqual(count, { ok: true, result: 101 });
    assert.equal(bad.ok, false);
    assert.ok(!bad.ok && isSpecterError(bad.error, 'RPC_ERROR') && rpcErrorCode(bad.error) === -8, "Core's -8 out of range");
    assert.ok(hash.ok && /^[0-9a-f]{64}$/.test(hash.result));
    c.close();
  });

  it('runs wallet calls on /wallet/<name>, names with a slash included, and reloads an unloaded wallet once', async () => {
    const c = new RpcClient(await node.connection());
    const name = 'specteradmin/my wallet';
    await c.call('createwallet', { wallet_name: name, disable_private_keys: true, blank: true });
    assert.equal((await c.wallet(name).call<{ walletname: string }>('getwalletinfo')).walletname, name);
    await c.call('unloadwallet', [name]);
    assert.ok(!(await c.call<string[]>('listwallets')).includes(name));
    // -18 → loadwallet → retry, transparently.
    assert.equal((await c.wallet(name).call<{ walletname: string }>('getwalletinfo')).walletname, name);
    assert.ok((await c.call<string[]>('listwallets')).includes(name));
    // Batches reload too.
    await c.call('unloadwallet', [name]);
    const [w] = await c.wallet(name).batch<[{ walletname: string }]>([{ method: 'getwalletinfo' }]);
    assert.ok(w.ok && w.result.walletname === name);
    // A wallet that does not exist: one load attempt, then a clear error.
    await assert.rejects(c.wallet('nope').call('getwalletinfo'), (err: unknown) => {
      assert.ok(isSpecterError(err, 'RPC_WALLET_NOT_LOADED'));
      assert.match(err.message, /"nope" is not loaded.*Loading it failed/);
      return true;
    });
    c.close();
  });

  it('a wrong password is NODE_AUTH_FAILED and the error never holds the password', async () => {
    const conn = await node.connection();
    const c = new RpcClient({ ...conn, password: 'wrong-horse-battery' });
    await assert.rejects(c.call('getblockcount'), (err: unknown) => {
      assert.ok(isSpecterError(err, 'NODE_AUTH_FAILED'));
      assert.equal(err.code, 'SPECTER_ERR_NODE_AUTH_FAILED');
      assert.match(err.hint ?? '', /rpcuser\/rpcpassword/);
      assert.doesNotMatch(JSON.stringify({ ...err.toJSON(), msg: err.message }), /wrong-horse-battery/);
      return true;
    });
    c.close();
  });

  it('a wrong port is NODE_UNREACHABLE (connection refused) with the fix', async () => {
    const conn = await node.connection();
    const c = new RpcClient({ ...conn, port: node.p2pPort }); // -listen=0: nothing listens there
    await assert.rejects(c.call('getblockcount'), (err: unknown) => {
      assert.ok(isSpecterError(err, 'NODE_UNREACHABLE'));
      assert.match(err.message, /refused the connection/);
      assert.match(err.hint ?? '', /regtest 18443/);
      return true;
    });
    c.close();
  });

  it("Core warming up after a start answers -28: NODE_WARMING_UP with Core's text", async () => {
    // The helper polls while bitcoind starts; a restart of an existing datadir loads its block
    // index and wallet first, so the poll sees -28 (a few tries in case a start was too quick).
    const warm: unknown[] = [];
    for (let i = 0; i < 5 && warm.length === 0; i++) {
      await node.stop();
      await node.start();
      warm.push(...node.startupErrors.filter((e) => rpcErrorCode(e) === -28));
    }
    assert.ok(warm.length > 0, 'bitcoind answered -28 at least once while starting');
    for (const err of warm) {
      assert.ok(isSpecterError(err, 'NODE_WARMING_UP'), String(err));
      assert.match(err.message, /is starting: \S/);
      assert.match(err.hint ?? '', /Wait until bitcoind/);
    }
  });

  it('a full RPC work queue is NODE_BUSY', async (t) => {
    const busy = await startBitcoind(t, { faucet: false, args: ['-rpcworkqueue=1', '-rpcthreads=1'] });
    const c = new RpcClient(await busy.connection(), { maxSockets: 8 });
    // waitfornewblock holds the only RPC thread; the queue has room for one more; the rest are refused.
    const calls = Array.from({ length: 4 }, () =>
      c.call('waitfornewblock', [1500]).then(
        () => 'ok',
        (err: unknown) => err,
      ),
    );
    const outcomes = await Promise.all(calls);
    const busyErrors = outcomes.filter((o) => isSpecterError(o, 'NODE_BUSY'));
    assert.ok(
      busyErrors.length >= 1,
      `expected NODE_BUSY among ${outcomes.map((o) => (typeof o === 'string' ? o : (o as Error).message)).join(' | ')}`,
    );
    c.close();
  });

  it('on a Core with -disablewallet, wallet calls are NODE_WALLETS_DISABLED with the fix', async (t) => {
    const nowallet = await startBitcoind(t, { faucet: false, args: ['-disablewallet'] });
    const c = new RpcClient(await nowallet.connection());
    assert.equal(await c.call('getblockcount'), 0);
    for (const call of [() => c.call('listwallets'), () => c.wallet('specteradmin/w').call('getwalletinfo')]) {
      await assert.rejects(call(), (err: unknown) => {
        assert.ok(isSpecterError(err, 'NODE_WALLETS_DISABLED'));
        assert.match(err.hint ?? '', /disablewallet/);
        return true;
      });
    }
    c.close();
  });
});
