import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { createTestSpecter, type TestSpecter } from '../../../src/testing/index.js';
import { fixturePackage } from '../../helpers/ext-packages.js';

const start = async (dataFolder: string, version: '1' | '2' | 'broken'): Promise<TestSpecter> =>
  createTestSpecter({ dataFolder, extensions: [await fixturePackage(`migrator-${version}`)] });

async function dataOf(t: TestSpecter, username: string): Promise<unknown> {
  const user = t.specter.userManager.list().find((u) => u.username === username)!;
  return t.specter.services.storage.forUser(user).get('migrator', false);
}

test('an upgrade with a migration turns v1 data into v2; a failing one leaves v1 and the reason', async (ctx) => {
  const dataFolder = await fs.mkdtemp(path.join(os.tmpdir(), 'specter-migrate-'));
  ctx.after(() => fs.rm(dataFolder, { recursive: true, force: true }));
  const folder = path.join(dataFolder, 'extensions', 'migrator');
  const version = async () => JSON.parse(await fs.readFile(path.join(folder, '.data-version.json'), 'utf8')).version;

  // Version 1 keeps {count} per user and a list in log.json.
  const v1 = await start(dataFolder, '1');
  await v1.addUser('bob', 'bob-pass-12');
  await v1.specter.services.storage.forUser(v1.specter.userManager.admin).set('migrator', false, { count: 1, note: 'kept' });
  await v1.specter.services.storage.forUser(v1.specter.userManager.require('bob')).set('migrator', false, { count: 2 });
  await v1.specter.extensionManager.get('migrator')!.ctx.files.writeJson('log.json', ['a']);
  assert.equal(await version(), 1);
  await v1.close();

  // A broken version 2: bob's data cannot be converted. Nothing is changed, and the status says why.
  const broken = await start(dataFolder, 'broken');
  const row = broken.statuses().find((s) => s.id === 'migrator')!;
  assert.equal(row.status, 'failed');
  assert.match(row.reason, /migrateData\(\) failed for user "bob" \(version 1 → 2\): cannot convert a count of 2/);
  assert.deepEqual(await dataOf(broken, 'admin'), { count: 1, note: 'kept' });
  assert.deepEqual(await dataOf(broken, 'bob'), { count: 2 });
  assert.deepEqual(JSON.parse(await fs.readFile(path.join(folder, 'log.json'), 'utf8')), ['a']);
  assert.equal(await version(), 1);
  await broken.close();

  // The fixed version 2 migrates everyone's data and its files, after a backup.
  const v2 = await start(dataFolder, '2');
  assert.equal(v2.statuses().find((s) => s.id === 'migrator')?.status, 'loaded');
  assert.deepEqual(await dataOf(v2, 'admin'), { note: 'kept', counter: { value: 1 } });
  assert.deepEqual(await dataOf(v2, 'bob'), { counter: { value: 2 } });
  assert.deepEqual(JSON.parse(await fs.readFile(path.join(folder, 'log.json'), 'utf8')), { entries: ['a'] });
  assert.equal(await version(), 2);
  const backups = path.join(dataFolder, 'extensions', '.backups');
  const saved = (await fs.readdir(backups)).filter((b) => b.startsWith('migrator-v1-'));
  assert.equal(saved.length, 2, 'one backup per attempt (the failed one and this one)');
  for (const b of saved) {
    assert.deepEqual(JSON.parse(await fs.readFile(path.join(backups, b, 'users.json'), 'utf8')), {
      admin: { count: 1, note: 'kept' },
      bob: { count: 2 },
    });
  }
  await v2.close();

  // Loading it again migrates nothing more.
  const again = await start(dataFolder, '2');
  assert.equal(again.statuses().find((s) => s.id === 'migrator')?.status, 'loaded');
  assert.equal((await fs.readdir(backups)).length, 2);
  await again.close();

  // And the old version on newer data is refused as a downgrade.
  const old = await start(dataFolder, '1');
  assert.match(old.statuses().find((s) => s.id === 'migrator')!.reason, /format version 2, newer than this version's 1 \(a downgrade\)/);
  await old.close();
});
