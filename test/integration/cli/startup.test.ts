import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const CLI = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../src/cli/main.js');

function runCli(args: string[], timeoutMs = 15_000): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, SPECTER_LOG_LEVEL: 'warn' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

test('a corrupt users.json stops the server with a message naming the file, and leaves it untouched', async () => {
  const dataFolder = await fs.mkdtemp(path.join(os.tmpdir(), 'specter-corrupt-'));
  try {
    const usersFile = path.join(dataFolder, 'users.json');
    const garbage = '[{"id": "admin", "username": "admin", ';
    await fs.writeFile(usersFile, garbage);
    const result = await runCli(['server', '--data-folder', dataFolder, '--port', '0']);
    assert.notEqual(result.code, 0);
    assert.match(result.stderr, new RegExp(usersFile.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')));
    assert.equal(await fs.readFile(usersFile, 'utf8'), garbage);
    const leftovers = (await fs.readdir(dataFolder)).filter((f) => f.includes('users.json') && f !== 'users.json');
    assert.deepEqual(leftovers, [], 'no temp or backup file was made from the corrupt one');
  } finally {
    await fs.rm(dataFolder, { recursive: true, force: true });
  }
});

test('a users.json with a wrong shape is named with the bad field', async () => {
  const dataFolder = await fs.mkdtemp(path.join(os.tmpdir(), 'specter-badshape-'));
  try {
    await fs.writeFile(path.join(dataFolder, 'users.json'), JSON.stringify([{ id: 'admin', username: 7 }]));
    const result = await runCli(['server', '--data-folder', dataFolder, '--port', '0']);
    assert.notEqual(result.code, 0);
    assert.match(result.stderr, /users\.json: user #0 field "username"/);
  } finally {
    await fs.rm(dataFolder, { recursive: true, force: true });
  }
});

test('an unknown --config is refused with the list of valid ones', async () => {
  const result = await runCli(['server', '--config', 'NopeConfig']);
  assert.notEqual(result.code, 0);
  assert.match(result.stderr, /ProductionConfig/);
});
