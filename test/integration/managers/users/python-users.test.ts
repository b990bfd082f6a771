import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createTestSpecter } from '../../../../src/testing/index.js';
import { pythonAvailable, runSpecterPython } from '../../../helpers/python.js';

const skip = pythonAvailable() ? false : 'Debian /usr/bin/python3 with python3-cryptography is not installed';

async function tempFolder(): Promise<string> {
  return fs.mkdtemp(path.join(os.tmpdir(), 'specter-pyusers-'));
}

test("a users.json written by Specter Desktop's Python code logs in through the form and yields the same user secret", { skip }, async () => {
  const dataFolder = await tempFolder();
  const alice = await runSpecterPython<{ user: Record<string, unknown>; secret: string }>('make_user', {
    username: 'alice',
    password: 'alice pw 123',
  });
  const admin = await runSpecterPython<{ user: Record<string, unknown>; secret: string }>('make_user', {
    id: 'admin',
    username: 'admin',
    password: 'admin pw 123',
    is_admin: true,
  });
  await fs.writeFile(path.join(dataFolder, 'users.json'), JSON.stringify([admin.user, alice.user], null, 4));
  await fs.writeFile(
    path.join(dataFolder, 'config.json'),
    JSON.stringify({ auth: { method: 'usernamepassword', password_min_chars: 6, rate_limit: 10, registration_link_timeout: 1 } }),
  );
  const t = await createTestSpecter({ dataFolder });
  try {
    const wrong = t.client();
    await wrong.get('/spc/auth/login');
    assert.equal((await wrong.post('/spc/auth/login', { username: 'alice', password: 'nope' })).statusCode, 401);
    assert.equal(t.specter.userManager.secretOf('alice'), undefined);

    const client = await t.login('alice pw 123', 'alice');
    assert.equal((await client.get('/spc/welcome/')).statusCode, 200);
    assert.equal(t.specter.userManager.secretOf('alice'), alice.secret);
    const onDisk = JSON.parse(await fs.readFile(path.join(dataFolder, 'users.json'), 'utf8')) as Array<Record<string, unknown>>;
    assert.deepEqual(onDisk[1]!.config, {}, 'fields Specter TS does not use are kept');
  } finally {
    await t.close();
    await fs.rm(dataFolder, { recursive: true, force: true });
  }
});

test('a secret wrapped by Specter TS (password change) unwraps in Python to the same secret', { skip }, async () => {
  const t = await createTestSpecter();
  try {
    await t.setAuth('passwordonly', 'first password');
    const client = await t.login('first password');
    await client.get('/spc/settings/auth');
    const res = await client.post('/spc/settings/auth', {
      action: 'change_password',
      current_password: 'first password',
      new_password: 'second password',
      new_password_confirm: 'second password',
    });
    assert.equal(res.statusCode, 302);
    const secret = t.specter.userManager.secretOf('admin');
    assert.ok(secret);
    const users = JSON.parse(await fs.readFile(path.join(t.dataFolder, 'users.json'), 'utf8')) as Array<Record<string, unknown>>;
    const admin = users.find((u) => u.id === 'admin')!;
    const unwrapped = await runSpecterPython<{ secret: string }>('unwrap_secret', {
      encrypted_user_secret: admin.encrypted_user_secret,
      password: 'second password',
    });
    assert.equal(unwrapped.secret, secret);
    const verified = await runSpecterPython<{ ok: boolean }>('verify_password', { stored: admin.password, password: 'second password' });
    assert.equal(verified.ok, true);
    const old = await runSpecterPython<{ ok: boolean }>('verify_password', { stored: admin.password, password: 'first password' });
    assert.equal(old.ok, false);
  } finally {
    await t.close();
  }
});
