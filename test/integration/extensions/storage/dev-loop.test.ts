import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { createTestSpecter } from '../../../../src/testing/index.js';
import { copyPackage, tempProject } from '../../../helpers/ext-packages.js';
import { PLAIN_PAGE } from './helpers.js';

test('development loop: an extension in the working directory renders, and a template edit shows on the next request', async () => {
  const project = await tempProject();
  try {
    const pkgDir = await copyPackage('storage_plain', path.join(project.dir, 'my-extension'));
    const t = await createTestSpecter({ configName: 'DevelopmentConfig', cwd: pkgDir });
    try {
      assert.equal(t.specter.config.TEMPLATES_NO_CACHE, true);
      const status = t.statuses().find((s) => s.id === 'storage_plain');
      assert.equal(status?.status, 'loaded');
      assert.equal(status?.source, 'cwd');
      await t.activate('admin', 'storage_plain');
      const client = t.client();

      const first = await client.get(PLAIN_PAGE);
      assert.equal(first.statusCode, 200, first.body);
      assert.match(first.body, /<h1>Plain Store v1<\/h1>/);
      assert.match(first.body, /class="sidebar"/, 'inside the core layout');
      assert.equal((await client.post(`${PLAIN_PAGE}store`, { value: 'dev value' })).statusCode, 302);

      const template = path.join(pkgDir, 'templates', 'storage_plain', 'index.njk');
      const text = await fs.readFile(template, 'utf8');
      await fs.writeFile(template, text.replace('Plain Store v1', 'Plain Store v2, edited'));

      const second = await client.get(PLAIN_PAGE);
      assert.equal(second.statusCode, 200);
      assert.match(second.body, /<h1>Plain Store v2, edited<\/h1>/, 'no restart needed');
      assert.doesNotMatch(second.body, /Plain Store v1/);
      assert.match(second.body, /<p id="stored-value">dev value<\/p>/);
    } finally {
      await t.close();
    }
  } finally {
    await project.cleanup();
  }
});
