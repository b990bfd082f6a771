/** Autodetect candidates in Specter's order: env, then each network's .cookie, then bitcoin.conf credentials. */
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { isSpecterError } from '../../../../src/errors/index.js';
import { autodetectCandidates } from '../../../../src/managers/nodes/index.js';

describe('autodetect', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'specter-autodetect-'));
    await writeFile(path.join(dir, 'bitcoin.conf'), 'signet=1\nrpcuser=alice\n[signet]\nrpcpassword=sig-pw\nrpcport=40000\nrpcconnect=10.0.0.2\n');
    await mkdir(path.join(dir, 'signet'));
    await writeFile(path.join(dir, 'signet', '.cookie'), '__cookie__:sigcookie');
    await mkdir(path.join(dir, 'regtest'));
    await writeFile(path.join(dir, 'regtest', '.cookie'), '__cookie__:regcookie\n');
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it("orders env, the conf chain's cookie, other cookies, then rpcuser/rpcpassword", async () => {
    const env = { BTC_RPC_USER: 'envuser', BTC_RPC_PASSWORD: 'envpw', BTC_RPC_HOST: 'node.lan', BTC_RPC_PORT: '8332', BTC_RPC_PROTOCOL: 'https' };
    const found = await autodetectCandidates(dir, { env });
    assert.deepEqual(
      found.map((c) => [c.source.split(' ')[0], c.network, c.host, c.port, c.user, c.password]),
      [
        ['env', undefined, 'node.lan', 8332, 'envuser', 'envpw'],
        ['cookie', 'signet', '10.0.0.2', 40000, '__cookie__', 'sigcookie'],
        ['cookie', 'regtest', 'localhost', 18443, '__cookie__', 'regcookie'],
        ['bitcoin.conf', 'signet', '10.0.0.2', 40000, 'alice', 'sig-pw'],
      ],
    );
    assert.equal(found[0]!.protocol, 'https');
  });

  it('finds nothing in an empty folder, and names a bad rpcport', async () => {
    const empty = await mkdtemp(path.join(tmpdir(), 'specter-autodetect-empty-'));
    try {
      assert.deepEqual(await autodetectCandidates(empty, { env: {} }), []);
      await writeFile(path.join(empty, 'bitcoin.conf'), 'rpcport=notaport\n');
      await writeFile(path.join(empty, '.cookie'), '__cookie__:x');
      await assert.rejects(
        autodetectCandidates(empty, { env: {} }),
        (err: unknown) => isSpecterError(err, 'NODE_CONF_INVALID') && /bitcoin\.conf: rpcport "notaport"/.test(err.message),
      );
    } finally {
      await rm(empty, { recursive: true, force: true });
    }
  });
});
