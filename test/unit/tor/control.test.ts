import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { hashControlPassword, parseKeyValues } from '../../../src/tor/index.js';

describe('Tor control helpers', () => {
  it('parses key=value pairs with quoted values', () => {
    assert.deepEqual(parseKeyValues('AUTH METHODS=COOKIE,HASHEDPASSWORD COOKIEFILE="/var/run/tor/control \\"x\\".authcookie"'), {
      METHODS: 'COOKIE,HASHEDPASSWORD',
      COOKIEFILE: '/var/run/tor/control "x".authcookie',
    });
  });

  it('hashes the control password as tor --hash-password does (iterated, salted S2K, count 65536)', () => {
    const salt = Buffer.from('0011223344556677', 'hex');
    const hash = hashControlPassword('pw test', salt);
    assert.match(hash, /^16:001122334455667760[0-9A-F]{40}$/);
    // The digest: SHA-1 over salt‖password repeated up to 65,536 bytes.
    const block = Buffer.concat([salt, Buffer.from('pw test')]);
    const data = Buffer.alloc(65_536);
    for (let i = 0; i < data.length; i++) data[i] = block[i % block.length]!;
    assert.equal(hash.slice(-40), createHash('sha1').update(data).digest('hex').toUpperCase());
    // A fresh salt each time by default.
    assert.notEqual(hashControlPassword('pw'), hashControlPassword('pw'));
  });
});
