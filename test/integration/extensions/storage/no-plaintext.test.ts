import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { createTestSpecter } from '../../../../src/testing/index.js';
import { basic, countFiles, dataApi, filesContaining, PLAIN_PAGE, SECRET_PAGE, storageFixtures } from './helpers.js';

test('no plaintext on disk or in the log: encrypted data stored through a page and through the API', async () => {
  const logLines: string[] = [];
  const t = await createTestSpecter({ extensions: await storageFixtures(), logLines });
  try {
    await t.setAuth('usernamepassword', 'admin password');
    await t.specter.userManager.addUser('alice', 'alice password');
    await t.activate('alice', 'storage_secret');
    await t.activate('alice', 'storage_plain');
    const alice = await t.login('alice password', 'alice');

    const viaPage = `page-marker-${randomUUID()}`;
    const viaApi = `api-marker-${randomUUID()}`;
    assert.equal((await alice.post(`${SECRET_PAGE}store`, { value: viaPage })).statusCode, 302);
    assert.match((await alice.get(SECRET_PAGE)).body, new RegExp(viaPage), 'the value really was stored');
    const put = await dataApi(t, 'PUT', 'storage_secret', { auth: basic('alice', 'alice password'), json: { value: viaPage, note: viaApi } });
    assert.equal(put.statusCode, 200, put.body);
    assert.deepEqual((await dataApi(t, 'GET', 'storage_secret', { auth: basic('alice', 'alice password') })).json(), {
      value: viaPage,
      note: viaApi,
    });

    assert.ok((await countFiles(t.dataFolder)) >= 4, 'the scan has files to look at');
    assert.deepEqual(await filesContaining(t.dataFolder, viaPage), [], 'no file holds the page value in clear');
    assert.deepEqual(await filesContaining(t.dataFolder, viaApi), [], 'no file holds the API value in clear');
    assert.ok(logLines.length > 0, 'the log was captured');
    const log = logLines.join('\n');
    assert.equal(log.includes(viaPage), false, 'the log never shows the page value');
    assert.equal(log.includes(viaApi), false, 'the log never shows the API value');

    // The scan finds what is there: the same path through an unencrypted extension is plain JSON.
    const plain = `plain-marker-${randomUUID()}`;
    assert.equal((await alice.post(`${PLAIN_PAGE}store`, { value: plain })).statusCode, 302);
    const hits = await filesContaining(t.dataFolder, plain);
    assert.ok(hits.includes('users/alice/unencrypted_services.json'), `found in ${hits.join(', ')}`);
    assert.ok(
      hits.every((f) => f.startsWith('users/alice/unencrypted_services.json')),
      `only there: ${hits.join(', ')}`,
    );
  } finally {
    await t.close();
  }
});
