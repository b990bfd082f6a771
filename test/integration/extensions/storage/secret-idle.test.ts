import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createTestSpecter } from '../../../../src/testing/index.js';
import { SECRET_PAGE, storageFixtures } from './helpers.js';

/**
 * Finding 8 of issue 9: the decrypted user secret must not outlive its use. After
 * USER_SECRET_IDLE_TIMEOUT without a request that uses it, the encrypted plugin page asks for the
 * password again. The vault's clock is moved by the test; nothing waits.
 */
test('after the idle timeout the encrypted plugin page sends the user to log in again; use keeps it unlocked', async () => {
  let now = 1_000_000;
  const t = await createTestSpecter({ extensions: await storageFixtures(), config: { USER_SECRET_IDLE_TIMEOUT: 600 }, now: () => now });
  try {
    await t.setAuth('passwordonly', 'idle password');
    await t.activate('admin', 'storage_secret');
    const browser = await t.login('idle password');
    assert.equal((await browser.get(SECRET_PAGE)).statusCode, 200);
    now += 9 * 60_000;
    assert.equal((await browser.get(SECRET_PAGE)).statusCode, 200, 'used within 10 minutes');
    now += 9 * 60_000;
    assert.equal((await browser.get(SECRET_PAGE)).statusCode, 200, 'the last use restarted the timer');
    now += 10 * 60_000;
    assert.equal(t.specter.userManager.secretOf('admin'), undefined, 'idle for 10 minutes: the secret left memory');
    const locked = await browser.get(SECRET_PAGE);
    assert.equal(locked.statusCode, 302);
    assert.equal(locked.headers.location, `/spc/auth/login?next=${encodeURIComponent(SECRET_PAGE)}`);
  } finally {
    await t.close();
  }
});

test('the secret is dropped when the session lifetime is over, even while it is used', async () => {
  let now = 1_000_000;
  const t = await createTestSpecter({
    extensions: await storageFixtures(),
    config: { SESSION_MAX_AGE: 3600, USER_SECRET_IDLE_TIMEOUT: 1800 },
    now: () => now,
  });
  try {
    await t.setAuth('passwordonly', 'session password');
    await t.activate('admin', 'storage_secret');
    await t.login('session password');
    for (let i = 0; i < 3; i++) {
      now += 20 * 60_000 - 1;
      assert.ok(t.specter.userManager.secretOf('admin'));
    }
    now += 10;
    assert.equal(t.specter.userManager.secretOf('admin'), undefined, 'an hour after login');
  } finally {
    await t.close();
  }
});
