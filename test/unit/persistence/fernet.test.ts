import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { SpecterError, isSpecterError } from '../../../src/errors/index.js';
import { Fernet, InvalidTokenError } from '../../../src/persistence/index.js';

// Fernet spec test vector (github.com/fernet/spec, verify.json).
const SPEC = {
  secret: 'cw_0x689RpI-jtRR7oE8h_eQsKImvJapLeSbXpwF4e4=',
  token: 'gAAAAAAdwJ6wAAECAwQFBgcICQoLDA0ODy021cpGVWKZ_eEwCGM4BLLF_5CV9dOPmrhuVUPgJobwOz7JcbmrR64jVmpU4IwqDA==',
  now: Date.UTC(1985, 9, 26, 8, 20, 1) / 1000, // 1985-10-26T01:20:01-07:00
  ttl: 60,
  src: 'hello',
};

function isInvalidToken(err: unknown): boolean {
  return err instanceof InvalidTokenError && err instanceof SpecterError && err.code === 'SPECTER_ERR_CRYPTO_INVALID_TOKEN';
}

/** Flip one bit of the decoded token at `index` and re-encode it the way Fernet does. */
function tamper(token: string, index: number): string {
  const raw = Buffer.from(token, 'base64url');
  raw[index < 0 ? raw.length + index : index]! ^= 0x01;
  return raw.toString('base64').replace(/\+/g, '-').replace(/\//g, '_');
}

describe('Fernet', () => {
  it('decrypts the spec test vector, within its TTL', () => {
    const f = new Fernet(SPEC.secret);
    assert.equal(f.decrypt(SPEC.token, SPEC.ttl, SPEC.now).toString(), SPEC.src);
    assert.equal(f.decrypt(SPEC.token).toString(), SPEC.src, 'no TTL: age does not matter');
  });

  it('refuses the spec token once expired, or when it is from the far future', () => {
    const f = new Fernet(SPEC.secret);
    assert.throws(() => f.decrypt(SPEC.token, SPEC.ttl, SPEC.now + 60), isInvalidToken);
    assert.throws(() => f.decrypt(SPEC.token, SPEC.ttl, SPEC.now - 1 - 61), isInvalidToken);
    assert.equal(f.decrypt(SPEC.token, SPEC.ttl, SPEC.now - 1 - 59).toString(), SPEC.src, 'within the 60 s clock skew');
  });

  it('round-trips strings (UTF-8) and binary Buffers, and lays the token out as the spec says', () => {
    const key = Fernet.generateKey();
    assert.match(key, /^[A-Za-z0-9_-]{43}=$/);
    const f = new Fernet(key);
    const token = f.encrypt('grüße 🔑', 1_700_000_000);
    assert.equal(f.decrypt(token).toString('utf8'), 'grüße 🔑');
    assert.match(token, /^gAAAAA[A-Za-z0-9_-]+=*$/);
    assert.equal(token.length % 4, 0, 'padding kept (Python needs it)');
    const raw = Buffer.from(token, 'base64url');
    assert.equal(raw[0], 0x80);
    assert.equal(Number(raw.readBigUInt64BE(1)), 1_700_000_000);
    assert.equal((raw.length - 57) % 16, 0);

    const bin = randomBytes(1000);
    assert.deepEqual(f.decrypt(f.encrypt(bin)), bin);
    assert.deepEqual(f.decrypt(f.encrypt(Buffer.alloc(0))), Buffer.alloc(0));
    assert.notEqual(f.encrypt('same'), f.encrypt('same'), 'random IV');
  });

  it('accepts the key as text, as its ASCII bytes, or as the raw 32 bytes', () => {
    const raw = randomBytes(32);
    const text = `${raw.toString('base64url')}=`;
    const token = new Fernet(text).encrypt('x');
    assert.equal(new Fernet(Buffer.from(text, 'ascii')).decrypt(token).toString(), 'x');
    assert.equal(new Fernet(raw).decrypt(token).toString(), 'x');
    assert.equal(new Fernet(text.slice(0, 43)).decrypt(token).toString(), 'x', 'unpadded key text');
  });

  it('rejects bad keys with CRYPTO_BAD_KEY and never echoes the key', () => {
    const secretish = 'A'.repeat(40);
    for (const bad of [
      '',
      'short',
      secretish,
      'cw_0x689RpI-jtRR7oE8h_eQsKImvJapLeSbXpwF4e4==',
      'cw_0x689RpI+jtRR7oE8h/eQsKImvJapLeSbXpwF4e4=',
      Buffer.alloc(31),
      Buffer.alloc(33),
    ]) {
      assert.throws(
        () => new Fernet(bad),
        (err: unknown) => {
          assert.ok(isSpecterError(err, 'CRYPTO_BAD_KEY'), String(err));
          assert.ok(!err.message.includes(secretish) && !JSON.stringify(err.toJSON()).includes(secretish));
          return true;
        },
      );
    }
  });

  it('detects tampering anywhere in the token', () => {
    const f = new Fernet(Fernet.generateKey());
    const token = f.encrypt('{"access_token": "secret"}');
    // version byte, timestamp, IV, ciphertext, MAC
    for (const index of [0, 3, 12, 30, -40, -1]) {
      assert.throws(() => f.decrypt(tamper(token, index)), isInvalidToken, `bit flip at ${index}`);
    }
    assert.throws(() => f.decrypt(token.slice(0, -8)), isInvalidToken, 'truncated');
    assert.throws(() => f.decrypt(`${token}AAAA`), isInvalidToken, 'extended');
  });

  it('rejects a token made with another key', () => {
    const token = new Fernet(Fernet.generateKey()).encrypt('data');
    assert.throws(
      () => new Fernet(Fernet.generateKey()).decrypt(token),
      (err: unknown) => {
        assert.ok(isInvalidToken(err));
        assert.equal((err as InvalidTokenError).details.reason, 'signature');
        return true;
      },
    );
  });

  it('rejects malformed tokens without throwing anything but InvalidTokenError', () => {
    const f = new Fernet(SPEC.secret);
    const tooShort = Buffer.concat([Buffer.from([0x80]), Buffer.alloc(8 + 16 + 32)]).toString('base64url');
    const notBlock = Buffer.concat([Buffer.from([0x80]), Buffer.alloc(8 + 16 + 15 + 32)]).toString('base64url');
    for (const bad of ['', '%%%%', 'gAAAA AAA', tooShort, notBlock, SPEC.token.replace('gA', 'gB'), Buffer.from(SPEC.token).toString('base64')]) {
      assert.throws(() => f.decrypt(bad), isInvalidToken, JSON.stringify(bad));
    }
    assert.equal(f.decrypt(Buffer.from(SPEC.token, 'ascii')).toString(), SPEC.src, 'token as ASCII bytes');
  });
});
