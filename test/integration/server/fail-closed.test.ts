import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createTestSpecter } from '../../../src/testing/index.js';
import { isSpecterError } from '../../../src/errors/index.js';

/**
 * Finding 4 of issue 9: a config.json without a valid auth.method (or a stale .bkp saying "none")
 * must not start the app without a password while users.json holds passwords.
 */

const CLI = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../src/cli/main.js');
const PASSWORD = 'admin password 1';

/** A data folder that was switched to "passwordonly": config.json.bkp still holds the earlier "none". */
async function protectedFolder(): Promise<string> {
  const dataFolder = await fs.mkdtemp(path.join(os.tmpdir(), 'specter-failclosed-'));
  const t = await createTestSpecter({ dataFolder, config: { LOAD_BUILTIN_EXTENSIONS: false } });
  await t.setAuth('passwordonly', PASSWORD);
  await t.close();
  return dataFolder;
}

const start = (dataFolder: string) => createTestSpecter({ dataFolder, config: { LOAD_BUILTIN_EXTENSIONS: false } });
const configFile = (dataFolder: string) => path.join(dataFolder, 'config.json');

const refused = (err: unknown) => {
  assert.ok(isSpecterError(err, 'CONFIG_AUTH_UNSET'), String(err));
  assert.match(err.message, /config\.json/);
  assert.match(err.hint ?? '', /"auth": \{"method": "passwordonly"\}/);
  return true;
};

for (const [label, content] of [
  ['{}', '{}'],
  ['{"auth":{}}', '{"auth": {}}'],
  ['null', 'null'],
  ['{"auth":{"method":null}}', '{"auth": {"method": null}}'],
  ['{"auth":null}', '{"auth": null}'],
] as const) {
  test(`config.json ${label} with a password in users.json: the app refuses to start and writes nothing`, async () => {
    const dataFolder = await protectedFolder();
    try {
      await fs.writeFile(configFile(dataFolder), content);
      await assert.rejects(start(dataFolder), refused);
      assert.equal(await fs.readFile(configFile(dataFolder), 'utf8'), content, 'config.json left as it was');
    } finally {
      await fs.rm(dataFolder, { recursive: true, force: true });
    }
  });
}

test('config.json with an unknown auth.method is refused, naming the value', async () => {
  const dataFolder = await protectedFolder();
  try {
    await fs.writeFile(configFile(dataFolder), JSON.stringify({ auth: { method: 'rpcpasswordaspin' } }));
    await assert.rejects(start(dataFolder), (err) => isSpecterError(err, 'CONFIG_AUTH_UNSET') && /"rpcpasswordaspin"/.test(err.message));
  } finally {
    await fs.rm(dataFolder, { recursive: true, force: true });
  }
});

test('config.json missing: the stale config.json.bkp saying "none" does not open the app, and no config.json is written', async () => {
  const dataFolder = await protectedFolder();
  try {
    const bkp = JSON.parse(await fs.readFile(`${configFile(dataFolder)}.bkp`, 'utf8'));
    assert.equal(bkp.auth.method, 'none', 'the backup is the config before the switch');
    await fs.rm(configFile(dataFolder));
    await assert.rejects(start(dataFolder), (err) => refused(err) && /config\.json\.bkp/.test((err as Error).message));
    await assert.rejects(fs.stat(configFile(dataFolder)), { code: 'ENOENT' });
  } finally {
    await fs.rm(dataFolder, { recursive: true, force: true });
  }
});

test('config.json and its .bkp missing while users.json holds passwords: refused', async () => {
  const dataFolder = await protectedFolder();
  try {
    await fs.rm(configFile(dataFolder));
    await fs.rm(`${configFile(dataFolder)}.bkp`);
    await assert.rejects(start(dataFolder), refused);
  } finally {
    await fs.rm(dataFolder, { recursive: true, force: true });
  }
});

test('Specter\'s older "auth": "passwordonly" is read and migrated to the object form', async () => {
  const dataFolder = await protectedFolder();
  try {
    await fs.writeFile(configFile(dataFolder), JSON.stringify({ auth: 'passwordonly', unit: 'sat' }));
    const t = await start(dataFolder);
    try {
      assert.equal(t.specter.authMethod, 'passwordonly');
      assert.equal((await t.client().get('/spc/welcome/')).statusCode, 302, 'the app asks for the password');
      const saved = JSON.parse(await fs.readFile(configFile(dataFolder), 'utf8'));
      assert.equal(saved.auth.method, 'passwordonly');
      assert.equal(saved.unit, 'sat', 'other settings kept');
    } finally {
      await t.close();
    }
  } finally {
    await fs.rm(dataFolder, { recursive: true, force: true });
  }
});

test('an explicit "none" in config.json is respected (the owner chose it)', async () => {
  const dataFolder = await protectedFolder();
  try {
    await fs.writeFile(configFile(dataFolder), JSON.stringify({ auth: { method: 'none' } }));
    const t = await start(dataFolder);
    try {
      assert.equal(t.specter.authMethod, 'none');
    } finally {
      await t.close();
    }
  } finally {
    await fs.rm(dataFolder, { recursive: true, force: true });
  }
});

test('a fresh data folder starts in "none" and writes config.json; only the default admin with {} config also starts', async () => {
  const dataFolder = await fs.mkdtemp(path.join(os.tmpdir(), 'specter-fresh-'));
  try {
    const t = await start(dataFolder);
    assert.equal(t.specter.authMethod, 'none');
    await t.close();
    assert.equal(JSON.parse(await fs.readFile(configFile(dataFolder), 'utf8')).auth.method, 'none');
    // users.json holds only Specter's default admin (password "admin"): nothing is protected.
    await fs.writeFile(configFile(dataFolder), '{}');
    const again = await start(dataFolder);
    assert.equal(again.specter.authMethod, 'none');
    await again.close();
  } finally {
    await fs.rm(dataFolder, { recursive: true, force: true });
  }
});

test('through the CLI: `specter server` exits with the message naming config.json and auth.method', async () => {
  const dataFolder = await protectedFolder();
  try {
    await fs.writeFile(configFile(dataFolder), '{}');
    const result = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, [CLI, 'server', '--data-folder', dataFolder, '--port', '0'], {
        env: { ...process.env, SPECTER_LOG_LEVEL: 'warn' },
      });
      let stderr = '';
      child.stderr.on('data', (d) => (stderr += d));
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      child.on('close', (code) => {
        clearTimeout(timer);
        resolve({ code, stderr });
      });
    });
    assert.notEqual(result.code, 0);
    assert.equal(result.code !== null, true, 'it exited by itself (not killed by the timeout)');
    assert.match(result.stderr, /config\.json/);
    assert.match(result.stderr, /auth\.method/);
  } finally {
    await fs.rm(dataFolder, { recursive: true, force: true });
  }
});
