import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createTestSpecter } from '../../../../src/testing/index.js';
import { fixturePackage } from '../../../helpers/ext-packages.js';
import { PortableBrowser, SECRET_PAGE } from './helpers.js';

const PASSWORD = 'restart password';

test('restart: the session survives, the secret does not — the encrypted page sends to login, and after it shows the stored value', async () => {
  const dataFolder = await fs.mkdtemp(path.join(os.tmpdir(), 'specter-restart-'));
  const extensions = [await fixturePackage('storage_secret')];
  try {
    const first = await createTestSpecter({ dataFolder, extensions });
    const browser = new PortableBrowser(first.app);
    try {
      await first.setAuth('passwordonly', PASSWORD);
      await first.activate('admin', 'storage_secret');
      first.specter.userManager.lock('admin'); // as after the password was set: only a login unlocks
      const login = await browser.login(PASSWORD);
      assert.equal(login.statusCode, 302);
      const stored = await browser.post(`${SECRET_PAGE}store`, { value: 'kept across restarts' });
      assert.equal(stored.statusCode, 302, stored.body);
      const page = await browser.get(SECRET_PAGE);
      assert.equal(page.statusCode, 200);
      assert.match(page.body, /<p id="stored-value">kept across restarts<\/p>/);
    } finally {
      await first.close();
    }
    assert.ok(await fs.stat(path.join(dataFolder, '.session_key')), 'the session key is in the data folder');
    const token = (JSON.parse(await fs.readFile(path.join(dataFolder, 'users', 'admin', 'services.json'), 'utf8')) as Record<string, unknown>)
      .storage_secret;
    assert.match(String(token), /^gAAAAA/, 'stored as a Fernet token');

    // A new app on the same data folder: same .session_key, so the old cookie still decrypts.
    const second = await createTestSpecter({ dataFolder, extensions });
    try {
      assert.equal(second.specter.userManager.secretOf('admin'), undefined, 'the vault starts empty');
      browser.app = second.app;
      const welcome = await browser.get('/spc/welcome/');
      assert.equal(welcome.statusCode, 200, 'the old session is still logged in');

      const locked = await browser.get(SECRET_PAGE);
      assert.equal(locked.statusCode, 302);
      assert.equal(locked.headers.location, `/spc/auth/login?next=${encodeURIComponent(SECRET_PAGE)}`);
      assert.equal((await browser.get('/spc/welcome/')).statusCode, 302, 'the guard ended the locked session');

      const loginPage = await browser.get(String(locked.headers.location));
      assert.equal(loginPage.statusCode, 200);
      assert.match(loginPage.body, /Log in again to unlock your encrypted plugin data\./);
      assert.match(loginPage.body, new RegExp(`name="next" value="${SECRET_PAGE.replace(/\//g, '\\/')}"`));
      const again = await browser.post('/spc/auth/login', { password: PASSWORD, next: SECRET_PAGE });
      assert.equal(again.statusCode, 302);
      assert.equal(again.headers.location, SECRET_PAGE, 'back to the page after login');
      assert.ok(second.specter.userManager.secretOf('admin'), 'login unlocked the secret');
      const page = await browser.get(SECRET_PAGE);
      assert.equal(page.statusCode, 200);
      assert.match(page.body, /<p id="stored-value">kept across restarts<\/p>/);
    } finally {
      await second.close();
    }
  } finally {
    await fs.rm(dataFolder, { recursive: true, force: true });
  }
});
