import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { createTestSpecter } from '../../../src/testing/index.js';
import { copyPackage, fixturePackage, tempProject } from '../../helpers/ext-packages.js';

test('built-in extensions: routes, templates inside the layout, static files, config merge, statuses', async () => {
  const t = await createTestSpecter();
  try {
    const byId = new Map(t.statuses().map((s) => [s.id, s]));
    assert.equal(byId.get('notes')?.status, 'loaded');
    assert.equal(byId.get('notes')?.source, 'builtin');
    assert.equal(byId.get('donate')?.status, 'loaded');
    assert.equal(byId.get('heartbeat')?.status, 'below-devstatus', 'alpha is below the Test threshold (beta)');
    assert.match(byId.get('heartbeat')!.reason, /alpha/);

    const client = t.client();
    assert.equal((await client.get('/spc/ext/notes/')).statusCode, 404, 'not active for the user yet');
    await t.activate('admin', 'notes');
    const page = await client.get('/spc/ext/notes/');
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /<h1 class="page-title">Notes<\/h1>/);
    assert.match(page.body, /class="sidebar"/, 'rendered inside the core layout');
    assert.match(page.body, /data-ext="notes"/, 'listed in the sidebar once active');
    const keyed = await client.get('/spc/ext/notes/api/');
    assert.deepEqual(keyed.json(), { notes: [] }, 'a keyed blueprint is mounted at /spc/ext/<id>/<key>/');
    const icon = await client.get('/spc/ext/notes/static/notes/img/icon.svg');
    assert.equal(icon.statusCode, 200);
    assert.match(String(icon.headers['content-type']), /svg/);
    const settings = await client.get('/spc/settings/general');
    assert.match(settings.body, /href="\/spc\/ext\/notes\/settings">Notes<\/a>/, 'the settings tab of an active extension');

    // Config merge: donate's config module has BaseConfig and TestConfig; TestConfig matches first.
    assert.equal(t.specter.config.DONATE_MESSAGE, 'Test donations welcome.');
    const donate = await t.app.inject({ method: 'GET', url: '/ext/donate/' });
    assert.equal(donate.statusCode, 200);
    assert.match(donate.body, /Test donations welcome\./);
    assert.equal((await client.get('/spc/ext/donate/')).statusCode, 404, 'an isolated extension is not under /spc/ext');
  } finally {
    await t.close();
  }
});

test('EXTENSION_LIST: a package folder outside node_modules', async () => {
  const t = await createTestSpecter({ extensions: [await fixturePackage('gatekeeper')] });
  try {
    const status = t.statuses().find((s) => s.id === 'gatekeeper');
    assert.equal(status?.status, 'loaded');
    assert.equal(status?.source, 'list');
    assert.equal(status?.version, '2.0.0');
    await t.activate('admin', 'gatekeeper');
    const res = await t.client().get('/spc/ext/gatekeeper/');
    assert.equal(res.statusCode, 200);
    assert.match(res.body, /Gatekeeper for admin/);
    assert.match(res.body, /Gatekeeper \/ gatekeeper/, 'templates see ext and service');
  } finally {
    await t.close();
  }
});

test('installed npm package: found in node_modules by its manifest', async () => {
  const project = await tempProject();
  try {
    await copyPackage('gatekeeper', path.join(project.nodeModules, 'specterext-gatekeeper'));
    const t = await createTestSpecter({ nodeModulesDir: project.nodeModules });
    try {
      const status = t.statuses().find((s) => s.id === 'gatekeeper');
      assert.equal(status?.status, 'loaded');
      assert.equal(status?.source, 'npm');
      await t.activate('admin', 'gatekeeper');
      assert.equal((await t.client().get('/spc/ext/gatekeeper/')).statusCode, 200);
    } finally {
      await t.close();
    }
  } finally {
    await project.cleanup();
  }
});

test('current working directory: loaded in DevelopmentConfig, refused in ProductionConfig', async () => {
  const project = await tempProject();
  try {
    const pkgDir = await copyPackage('gatekeeper', path.join(project.dir, 'my-extension'));
    const dev = await createTestSpecter({ configName: 'DevelopmentConfig', cwd: pkgDir });
    try {
      const status = dev.statuses().find((s) => s.id === 'gatekeeper');
      assert.equal(status?.status, 'loaded');
      assert.equal(status?.source, 'cwd');
    } finally {
      await dev.close();
    }
    const prod = await createTestSpecter({ configName: 'ProductionConfig', cwd: pkgDir });
    try {
      assert.equal(
        prod.statuses().find((s) => s.id === 'gatekeeper'),
        undefined,
        'never even discovered in production',
      );
      assert.equal((await prod.client().get('/spc/ext/gatekeeper/')).statusCode, 404);
    } finally {
      await prod.close();
    }
  } finally {
    await project.cleanup();
  }
});

test('devices and nodes from an extension join the core registries', async () => {
  const t = await createTestSpecter({ extensions: [await fixturePackage('typer')] });
  try {
    assert.equal(t.statuses().find((s) => s.id === 'typer')?.status, 'loaded');
    const device = t.specter.deviceManager.types.get('abacus');
    assert.equal(device?.name, 'Abacus');
    assert.equal(device?.icon, '/spc/ext/typer/static/typer/abacus.svg');
    assert.equal((await t.client().get(device!.icon)).statusCode, 200);
    assert.deepEqual(t.specter.nodeTypes.get('typer_electrum'), { type: 'typer_electrum', name: 'Electrum server (Typer)', extensionId: 'typer' });
    assert.equal(t.specter.nodeManager.types.get('typer_electrum')?.extensionId, 'typer', "the node manager accepts the extension's node type");
  } finally {
    await t.close();
  }
});

test('an explicit setting (harness option or env) wins over an extension config default', async () => {
  const t = await createTestSpecter({ config: { DONATE_MESSAGE: 'Set by the operator.' } });
  try {
    assert.equal(t.statuses().find((s) => s.id === 'donate')?.status, 'loaded');
    assert.equal(t.specter.config.DONATE_MESSAGE, 'Set by the operator.');
    assert.match((await t.app.inject({ method: 'GET', url: '/ext/donate/' })).body, /Set by the operator\./);
  } finally {
    await t.close();
  }
});
