import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { SecretVault, UserManager } from '../../../src/managers/users/index.js';
import { JsonFileStore } from '../../../src/persistence/index.js';
import { createLogger } from '../../../src/log/index.js';
import { mockClock } from '../../helpers/clock.js';

const MIN = 60_000;

/** A clock the test moves by hand: nothing here waits. */

test('vault: a secret not used for the idle timeout is dropped; use keeps it alive', () => {
  const clock = mockClock();
  const vault = new SecretVault({ idleTimeoutMs: 30 * MIN, maxAgeMs: 7 * 24 * 60 * MIN, now: clock.now, sweepIntervalMs: 0 });
  vault.set('alice', 'secret-a');
  clock.advance(29 * MIN);
  assert.equal(vault.get('alice'), 'secret-a', 'used within the timeout');
  clock.advance(29 * MIN);
  assert.equal(vault.get('alice'), 'secret-a', 'the last use restarted the idle timer');
  clock.advance(30 * MIN);
  assert.equal(vault.get('alice'), undefined, 'idle for 30 minutes: dropped');
  assert.equal(vault.size, 0);
});

test('vault: a secret is dropped when the session it was unlocked for expires, even while in use', () => {
  const clock = mockClock();
  const vault = new SecretVault({ idleTimeoutMs: 30 * MIN, maxAgeMs: 60 * MIN, now: clock.now, sweepIntervalMs: 0 });
  vault.set('alice', 'secret-a');
  for (let i = 0; i < 5; i++) {
    clock.advance(11 * MIN);
    assert.equal(vault.get('alice'), 'secret-a');
  }
  clock.advance(5 * MIN);
  assert.equal(vault.get('alice'), undefined, 'past the session lifetime');
});

test('vault: sweep() removes expired entries nobody asks for', () => {
  const clock = mockClock();
  const vault = new SecretVault({ idleTimeoutMs: MIN, now: clock.now, sweepIntervalMs: 0 });
  vault.set('a', 'x');
  vault.set('b', 'y');
  clock.advance(MIN / 2);
  vault.get('b');
  clock.advance(MIN / 2);
  vault.sweep();
  assert.equal(vault.size, 1);
  assert.equal(vault.get('b'), 'y');
});

test('UserManager: the secret unlocked at login is gone after the idle timeout (configured, mock clock)', async () => {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'specter-vault-'));
  try {
    const clock = mockClock();
    const users = new UserManager(dir, new JsonFileStore(), createLogger({ level: 'silent' }), {
      idleTimeoutMs: 30 * MIN,
      maxAgeMs: 24 * 60 * MIN,
      now: clock.now,
      sweepIntervalMs: 0,
    });
    await users.load();
    await users.addUser('carol', 'carol password');
    assert.ok(await users.authenticate('carol', 'carol password'));
    const secret = users.secretOf('carol');
    assert.ok(secret);
    clock.advance(20 * MIN);
    assert.equal(users.secretOf('carol'), secret);
    clock.advance(30 * MIN);
    assert.equal(users.secretOf('carol'), undefined, 'idle: locked again');
    assert.ok(await users.authenticate('carol', 'carol password'));
    assert.equal(users.secretOf('carol'), secret, 'logging in again unlocks the same secret');
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
});
