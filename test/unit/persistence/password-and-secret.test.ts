import assert from 'node:assert/strict';
import { pbkdf2Sync } from 'node:crypto';
import { describe, it } from 'node:test';
import { isSpecterError } from '../../../src/errors/index.js';
import {
  Fernet,
  InvalidTokenError,
  USER_SECRET_ITERATIONS,
  generateUserSecret,
  hashPassword,
  unwrapUserSecret,
  verifyPassword,
  wrapUserSecret,
} from '../../../src/persistence/index.js';

const STD_B64_32 = /^[A-Za-z0-9+/]{43}=$/;

describe('password hash (Specter scheme)', () => {
  it("has Specter's shape: 44-char std base64 salt and pwdhash", async () => {
    const h = await hashPassword('correct horse');
    assert.match(h.salt, STD_B64_32);
    assert.match(h.pwdhash, STD_B64_32);
    assert.deepEqual(Object.keys(h).sort(), ['pwdhash', 'salt']);
    assert.notEqual((await hashPassword('correct horse')).salt, h.salt, 'fresh salt each time');
  });

  it("uses the salt's base64 TEXT as PBKDF2 salt, 10,000 iterations, SHA-256", async () => {
    const h = await hashPassword('pässword');
    const expected = pbkdf2Sync(Buffer.from('pässword', 'utf8'), Buffer.from(h.salt, 'ascii'), 10_000, 32, 'sha256');
    assert.equal(h.pwdhash, expected.toString('base64'));
    const decodedSalt = pbkdf2Sync('pässword', Buffer.from(h.salt, 'base64'), 10_000, 32, 'sha256');
    assert.notEqual(h.pwdhash, decodedSalt.toString('base64'));
  });

  it('verifies the right password only; malformed records are false, not errors', async () => {
    const h = await hashPassword('secret');
    assert.equal(await verifyPassword('secret', h), true);
    assert.equal(await verifyPassword('Secret', h), false);
    assert.equal(await verifyPassword('', h), false);
    assert.equal(await verifyPassword('secret', { salt: h.salt, pwdhash: 'AAAA' }), false);
    assert.equal(await verifyPassword('secret', { salt: h.salt } as never), false);
    assert.equal(await verifyPassword('secret', null as never), false);
  });
});

describe('user secret', () => {
  it('is a Fernet key (44 chars)', () => {
    const s = generateUserSecret();
    assert.equal(s.length, 44);
    assert.doesNotThrow(() => new Fernet(s));
    assert.notEqual(generateUserSecret(), s);
  });

  it('wraps with 390,000 iterations and a 16-byte salt, and unwraps with the password', async () => {
    assert.equal(USER_SECRET_ITERATIONS, 390_000);
    const secret = generateUserSecret();
    const record = await wrapUserSecret(secret, 'pw');
    assert.equal(record.iterations, 390_000);
    assert.equal(Buffer.from(record.salt, 'base64').length, 16);
    assert.match(record.salt, /^[A-Za-z0-9+/]{22}==$/);
    assert.match(record.token, /^gAAAAA/);
    // The wrap key is urlsafe base64 of PBKDF2(pw, salt): check the construction independently.
    const wrapKey = pbkdf2Sync('pw', Buffer.from(record.salt, 'base64'), 390_000, 32, 'sha256');
    assert.equal(new Fernet(wrapKey).decrypt(record.token).toString('ascii'), secret);
    assert.deepEqual(await unwrapUserSecret(record, 'pw'), { secret, needsRewrap: false });
  });

  it('uses the stored iteration count and asks for a re-wrap below 390,000', async () => {
    const secret = generateUserSecret();
    const weak = await wrapUserSecret(secret, 'pw', 1000);
    assert.equal(weak.iterations, 1000);
    assert.deepEqual(await unwrapUserSecret(weak, 'pw'), { secret, needsRewrap: true });
    await assert.rejects(unwrapUserSecret({ ...weak, iterations: 1001 }, 'pw'), InvalidTokenError);
  });

  it('a wrong password or a damaged record is an InvalidTokenError', async () => {
    const record = await wrapUserSecret(generateUserSecret(), 'right', 2000);
    await assert.rejects(unwrapUserSecret(record, 'wrong'), (err: unknown) => isSpecterError(err, 'CRYPTO_INVALID_TOKEN'));
    await assert.rejects(unwrapUserSecret({ ...record, salt: Buffer.alloc(16).toString('base64') }, 'right'), InvalidTokenError);
    await assert.rejects(unwrapUserSecret({ ...record, iterations: 0 }, 'right'), InvalidTokenError);
    await assert.rejects(unwrapUserSecret({ ...record, token: 42 } as never, 'right'), InvalidTokenError);
    await assert.rejects(unwrapUserSecret(null as never, 'right'), InvalidTokenError);
  });

  it('refuses to wrap something that is not a key, or a silly iteration count', async () => {
    await assert.rejects(wrapUserSecret('not a key', 'pw'), (err: unknown) => isSpecterError(err, 'CRYPTO_BAD_KEY'));
    await assert.rejects(wrapUserSecret(generateUserSecret(), 'pw', 0), (err: unknown) => isSpecterError(err, 'VALIDATION'));
    await assert.rejects(wrapUserSecret(generateUserSecret(), 'pw', 1.5), (err: unknown) => isSpecterError(err, 'VALIDATION'));
  });
});
