import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { pythonAvailable, runSpecterPython } from '../../helpers/python.js';
import {
  Fernet,
  GenericDataManager,
  InvalidTokenError,
  allFieldsButVersion,
  generateUserSecret,
  hashPassword,
  unwrapUserSecret,
  verifyPassword,
  wrapUserSecret,
  type PasswordHash,
  type WrappedUserSecret,
} from '../../../src/persistence/index.js';

/**
 * Interop with Specter Desktop's own Python code (user.py) running on Debian's python3 and
 * python3-cryptography: what one side writes, the other reads.
 */

const skip = pythonAvailable() ? false : 'Debian /usr/bin/python3 with python3-cryptography is not installed';

interface PyUser {
  user: {
    id: string;
    username: string;
    password: PasswordHash;
    is_admin: boolean;
    jwt_tokens: object;
    encrypted_user_secret: WrappedUserSecret;
    services: string[];
    config?: object;
  };
  secret: string;
}

describe('interop with Specter Desktop (Python)', { skip }, () => {
  it('a users.json record made by Python: TS verifies its password and unwraps its secret', async () => {
    const { user, secret } = await runSpecterPython<PyUser>('make_user', { username: 'alice', password: 'pä$$ word' });
    assert.deepEqual(Object.keys(user).sort(), [
      'config',
      'encrypted_user_secret',
      'id',
      'is_admin',
      'jwt_tokens',
      'password',
      'services',
      'username',
    ]);
    assert.deepEqual(user.jwt_tokens, {});
    assert.deepEqual(user.services, []);
    assert.equal(user.encrypted_user_secret.iterations, 390_000);

    assert.equal(await verifyPassword('pä$$ word', user.password), true);
    assert.equal(await verifyPassword('pa$$ word', user.password), false);
    assert.deepEqual(await unwrapUserSecret(user.encrypted_user_secret, 'pä$$ word'), { secret, needsRewrap: false });
    await assert.rejects(unwrapUserSecret(user.encrypted_user_secret, 'wrong'), InvalidTokenError);
  });

  it('a Python record with fewer iterations unwraps in TS and asks for a re-wrap', async () => {
    const { user, secret } = await runSpecterPython<PyUser>('make_user', { username: 'bob', password: 'pw', iterations: 100_000, is_admin: true });
    assert.equal(user.is_admin, true);
    assert.equal(user.config, undefined, 'admins have no config key');
    assert.deepEqual(await unwrapUserSecret(user.encrypted_user_secret, 'pw'), { secret, needsRewrap: true });
  });

  it('TS password hashes verify in Python', async () => {
    const h = await hashPassword('grüße 123');
    assert.deepEqual(await runSpecterPython('verify_password', { stored: h, password: 'grüße 123' }), { ok: true });
    assert.deepEqual(await runSpecterPython('verify_password', { stored: h, password: 'grüsse 123' }), { ok: false });
  });

  it('a TS-wrapped secret unwraps in Python (and a weak one is re-wrapped there, readable by TS)', async () => {
    const secret = generateUserSecret();
    const record = await wrapUserSecret(secret, 'hunter2');
    const strong = await runSpecterPython<{ secret: string; encrypted_user_secret: WrappedUserSecret }>('unwrap_secret', {
      encrypted_user_secret: record,
      password: 'hunter2',
    });
    assert.equal(strong.secret, secret);
    assert.deepEqual(strong.encrypted_user_secret, record, 'no re-wrap at 390,000');

    const weak = await wrapUserSecret(secret, 'hunter2', 50_000);
    const rewrapped = await runSpecterPython<{ secret: string; encrypted_user_secret: WrappedUserSecret }>('unwrap_secret', {
      encrypted_user_secret: weak,
      password: 'hunter2',
    });
    assert.equal(rewrapped.secret, secret);
    assert.equal(rewrapped.encrypted_user_secret.iterations, 390_000);
    assert.deepEqual(await unwrapUserSecret(rewrapped.encrypted_user_secret, 'hunter2'), { secret, needsRewrap: false });

    assert.deepEqual(await runSpecterPython('unwrap_secret', { encrypted_user_secret: record, password: 'hunter3' }), { error: 'InvalidToken' });
  });

  it('Fernet tokens go both ways; tampered or wrong-key tokens fail on both sides', async () => {
    const key = Fernet.generateKey();
    const f = new Fernet(key);
    const text = '{"wallet": "w1", "access_token": "tök€n"}';

    const fromTs = f.encrypt(text);
    assert.deepEqual(await runSpecterPython('fernet_decrypt', { key, token: fromTs }), {
      data: text,
      data_b64: Buffer.from(text).toString('base64'),
    });
    const bin = Buffer.from([0, 255, 1, 254, 128]);
    const binFromTs = f.encrypt(bin);
    assert.equal((await runSpecterPython<{ data_b64: string }>('fernet_decrypt', { key, token: binFromTs })).data_b64, bin.toString('base64'));

    const { token: fromPy } = await runSpecterPython<{ token: string }>('fernet_encrypt', { key, data: text });
    assert.equal(f.decrypt(fromPy).toString('utf8'), text);
    const { token: oldPy } = await runSpecterPython<{ token: string }>('fernet_encrypt', { key, data: 'x', now: 1_000_000 });
    assert.equal(f.decrypt(oldPy).toString(), 'x');
    assert.throws(() => f.decrypt(oldPy, 3600), InvalidTokenError, 'Python timestamp is honoured by the TTL check');

    const raw = Buffer.from(fromTs, 'base64url');
    raw[30]! ^= 0x40;
    const tampered = raw.toString('base64').replace(/\+/g, '-').replace(/\//g, '_');
    assert.deepEqual(await runSpecterPython('fernet_decrypt', { key, token: tampered }), { error: 'InvalidToken' });
    assert.throws(() => f.decrypt(tampered), InvalidTokenError);

    const { key: otherKey } = await runSpecterPython<{ key: string }>('generate_key');
    assert.deepEqual(await runSpecterPython('fernet_decrypt', { key: otherKey, token: fromTs }), { error: 'InvalidToken' });
    assert.throws(() => new Fernet(otherKey).decrypt(fromPy), InvalidTokenError);
  });

  it("a <user>_services.json written by Specter's scheme loads in GenericDataManager, and back", async () => {
    const dir = await mkdtemp(join(tmpdir(), 'specter-py-gdm-'));
    try {
      const { user, secret } = await runSpecterPython<PyUser>('make_user', { username: 'carol', password: 'pw' });
      const swan = JSON.stringify({ wallet: 'w1', access_token: 'abc' });
      const { token } = await runSpecterPython<{ token: string }>('fernet_encrypt', { key: secret, data: swan });
      const file = join(dir, 'carol_services.json');
      await writeFile(file, JSON.stringify({ swan: token, encrypted_storage_version: 1 }, null, 4));

      const { secret: unwrapped } = await unwrapUserSecret(user.encrypted_user_secret, 'pw');
      const manager = new GenericDataManager(file, { encryptionKey: unwrapped, encryptedFields: allFieldsButVersion });
      const data = await manager.load();
      assert.equal(data.swan, swan);

      manager.data.devhelp = JSON.stringify({ wallet: 'w2' });
      await manager.save();
      const onDisk = JSON.parse(await readFile(file, 'utf8')) as Record<string, string | number>;
      assert.equal(onDisk.encrypted_storage_version, 1);
      const back = await runSpecterPython<{ data: string }>('fernet_decrypt', { key: secret, token: onDisk.devhelp });
      assert.equal(back.data, '{"wallet":"w2"}');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
