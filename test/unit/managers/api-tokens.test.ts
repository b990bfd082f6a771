import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ApiTokenManager, User, type UserRecord } from '../../../src/managers/users/index.js';
import { JsonFileStore } from '../../../src/persistence/index.js';
import { isSpecterError } from '../../../src/errors/index.js';

const record = (id: string): UserRecord => ({ id, username: id, password: null, is_admin: false, encrypted_user_secret: null, services: [] });

async function setup() {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'specter-tokens-'));
  const users = new Map([
    ['alice', new User(record('alice'))],
    ['bob', new User(record('bob'))],
  ]);
  const store = new JsonFileStore();
  const tokens = new ApiTokenManager(dir, store, (id) => users.get(id));
  await tokens.load();
  return { dir, users, store, tokens, alice: users.get('alice')!, bob: users.get('bob')!, done: () => fs.rm(dir, { recursive: true, force: true }) };
}

test('create → verify → revoke; only the hash is stored; the token text is shown once', async () => {
  const s = await setup();
  try {
    const { id, token } = await s.tokens.create(s.alice, ' backup script ', 'read');
    assert.match(token, /^spc_[0-9a-f]{12}_[A-Za-z0-9_-]{43}$/);
    assert.ok(token.includes(id));
    const found = s.tokens.verify(token);
    assert.equal(found?.user.id, 'alice');
    assert.equal(found?.scope, 'read');
    assert.deepEqual(
      s.tokens.list(s.alice).map((t) => [t.id, t.name, t.scope]),
      [[id, 'backup script', 'read']],
    );
    assert.equal('hash' in s.tokens.list(s.alice)[0]!, false, 'the list never shows the hash');
    const onDisk = await fs.readFile(path.join(s.dir, 'api_tokens.json'), 'utf8');
    assert.ok(!onDisk.includes(token.split('_')[2]!), 'the secret part is not on disk');
    assert.match(onDisk, /"hash": "[0-9a-f]{64}"/);

    // A second manager reading the same file verifies the same token (persisted, zod-validated).
    const again = new ApiTokenManager(s.dir, s.store, (uid) => s.users.get(uid));
    await again.load();
    assert.equal(again.verify(token)?.user.id, 'alice');

    await s.tokens.revoke(s.alice, id);
    assert.equal(s.tokens.verify(token), undefined);
    assert.deepEqual(s.tokens.list(s.alice), []);
  } finally {
    await s.done();
  }
});

test('a wrong, altered or malformed token never verifies; another user cannot revoke a token', async () => {
  const s = await setup();
  try {
    const { id, token } = await s.tokens.create(s.alice, 'ci', 'full');
    const last = token.at(-1) === 'A' ? 'B' : 'A';
    for (const bad of [token.slice(0, -1) + last, `spc_${id}_`, '', 'Bearer', `${token}x`, token.replace(id, '000000000000')]) {
      assert.equal(s.tokens.verify(bad), undefined, bad);
    }
    await assert.rejects(s.tokens.revoke(s.bob, id), (err) => isSpecterError(err, 'API_TOKEN_NOT_FOUND'));
    assert.equal(s.tokens.verify(token)?.scope, 'full');
  } finally {
    await s.done();
  }
});

test('names and scopes are validated', async () => {
  const s = await setup();
  try {
    await assert.rejects(s.tokens.create(s.alice, '   ', 'read'), (err) => isSpecterError(err, 'API_TOKEN_INVALID'));
    await assert.rejects(s.tokens.create(s.alice, 'x'.repeat(65), 'read'), (err) => isSpecterError(err, 'API_TOKEN_INVALID'));
    await assert.rejects(s.tokens.create(s.alice, 'ok', 'admin' as never), (err) => isSpecterError(err, 'API_TOKEN_INVALID'));
    assert.deepEqual(s.tokens.list(s.alice), [], 'nothing half-written');
  } finally {
    await s.done();
  }
});

test('deleting a user removes their tokens; tokens of users that no longer exist are pruned and never verify', async () => {
  const s = await setup();
  try {
    const a = await s.tokens.create(s.alice, 'a', 'full');
    const b = await s.tokens.create(s.bob, 'b', 'full');
    assert.equal(await s.tokens.removeUser('alice'), 1);
    assert.equal(s.tokens.verify(a.token), undefined);
    assert.equal(s.tokens.verify(b.token)?.user.id, 'bob');
    s.users.delete('bob');
    assert.equal(s.tokens.verify(b.token), undefined, 'a token of a user that is gone does not verify');
    await s.tokens.pruneUsers(new Set(['alice']));
    const file = JSON.parse(await fs.readFile(path.join(s.dir, 'api_tokens.json'), 'utf8'));
    assert.deepEqual(file.tokens, []);
  } finally {
    await s.done();
  }
});

test('a damaged api_tokens.json stops loading with a message naming the file', async () => {
  const s = await setup();
  try {
    await fs.writeFile(path.join(s.dir, 'api_tokens.json'), JSON.stringify({ version: 1, tokens: [{ id: 'nope' }] }));
    const fresh = new ApiTokenManager(s.dir, s.store, () => undefined);
    await assert.rejects(fresh.load(), (err) => isSpecterError(err, 'DATA_FILE_CORRUPT') && /api_tokens\.json/.test(err.message));
  } finally {
    await s.done();
  }
});
