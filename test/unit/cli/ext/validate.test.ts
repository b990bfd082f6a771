import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { generateExtension } from '../../../../src/cli/ext/gen.js';
import { definesIndexRoute, runExtValidate, validateExtensionPackage } from '../../../../src/cli/ext/validate.js';
import { capture, REPO_ROOT, tempDir } from './_helpers.js';

const dirs: string[] = [];
after(async () => {
  for (const d of dirs) await fs.rm(d, { recursive: true, force: true });
});

/** A freshly generated (unbuilt) package. */
async function generated(extra: { isolatedClient?: boolean; device?: string } = {}): Promise<string> {
  const dir = await tempDir();
  dirs.push(dir);
  const result = await generateExtension(
    { id: 'rubberduck', org: 'mynym', isolatedClient: extra.isolatedClient ?? false, encryptData: false, device: extra.device ?? null },
    { dir },
  );
  return result.dir;
}

async function editJson(file: string, edit: (json: any) => void): Promise<void> {
  const json = JSON.parse(await fs.readFile(file, 'utf8'));
  edit(json);
  await fs.writeFile(file, JSON.stringify(json, null, 2));
}

async function minimal(files: Record<string, string>): Promise<string> {
  const dir = await tempDir();
  dirs.push(dir);
  for (const [name, content] of Object.entries(files)) {
    await fs.mkdir(path.dirname(path.join(dir, name)), { recursive: true });
    await fs.writeFile(path.join(dir, name), content);
  }
  return dir;
}

describe('ext validate', () => {
  it('a generated package has no problems (before and regardless of its first build)', async () => {
    for (const variant of [{}, { isolatedClient: true }, { device: 'Dice' }]) {
      const report = await validateExtensionPackage(await generated(variant));
      assert.deepEqual(report.problems, [], JSON.stringify(variant));
      assert.equal(report.id, 'rubberduck');
      // Not built yet: said as a warning, not a problem.
      assert.ok(report.warnings.some((w) => w.check === 'main' && /not built yet/.test(w.message)));
    }
  });

  it('reports all five planted mistakes, each with its fix, and exits 1', async () => {
    const dir = await generated();
    // 1. a devstatus the schema refuses
    // 2. an engines range that excludes the running version
    await editJson(path.join(dir, 'package.json'), (pkg) => {
      pkg.specterExtension.devstatus = 'gamma';
      pkg.specterExtension.engines = '>=99.0.0';
    });
    // 3. the icon file is missing
    await fs.rm(path.join(dir, 'static', 'rubberduck', 'img', 'icon.svg'));
    // 4. the template folder is not named after the id
    await fs.rename(path.join(dir, 'templates', 'rubberduck'), path.join(dir, 'templates', 'duck'));
    // 5. the default blueprint has no GET / named "index"
    const controller = path.join(dir, 'src', 'controller.ts');
    await fs.writeFile(controller, (await fs.readFile(controller, 'utf8')).replace("bp.get('/', 'index'", "bp.get('/home', 'home'"));

    const report = await validateExtensionPackage(dir);
    assert.deepEqual(report.problems.map((p) => p.check).sort(), ['engines', 'icon', 'index-route', 'manifest', 'templates']);
    const byCheck = Object.fromEntries(report.problems.map((p) => [p.check, p]));
    assert.match(byCheck.manifest!.message, /field "devstatus" is "gamma"/);
    assert.match(byCheck.manifest!.fix, /alpha, beta or prod/);
    assert.match(byCheck.engines!.message, /">=99\.0\.0", which excludes the running Specter TS/);
    assert.match(byCheck.engines!.fix, /e\.g\. ">=/);
    assert.match(byCheck.icon!.message, /static\/rubberduck\/img\/icon\.svg does not exist/);
    assert.match(byCheck.templates!.message, /templates\/duck\/, but must be in templates\/rubberduck\//);
    assert.match(byCheck.templates!.fix, /Rename the folder/);
    assert.match(byCheck['index-route']!.message, /src\/controller\.ts\) has no GET "\/" route named "index"/);
    for (const p of report.problems) assert.ok(p.fix.length > 10, `${p.check} has a fix`);

    const out = capture();
    assert.equal(await runExtValidate(dir, { output: out }), 1);
    const text = out.text();
    assert.match(text, /✗ 5 problems:/);
    for (let i = 1; i <= 5; i++) assert.match(text, new RegExp(`\\n${i}\\. \\[`));
    assert.equal(text.match(/ {3}Fix: /g)?.length, 5);
  });

  it('exits 0 and says so when there is nothing to fix', async () => {
    const out = capture();
    assert.equal(await runExtValidate(await generated(), { output: out }), 0);
    assert.match(out.text(), /✓ No problems found\./);
  });

  it('names seed-style and unknown fields with the field to use', async () => {
    const dir = await generated();
    await editJson(path.join(dir, 'package.json'), (pkg) => {
      pkg.specterExtension.encrypt_data = true;
      pkg.specterExtension.sortPriority = 'high';
    });
    const report = await validateExtensionPackage(dir);
    const messages = report.problems.map((p) => `${p.message} ${p.fix}`).join('\n');
    assert.match(messages, /"encrypt_data" is not a manifest field.*use "encryptData"/i);
    assert.match(messages, /"sortPriority" is "high".*use a number/i);
    assert.equal(report.problems.length, 2);
  });

  it('checks module paths, the static namespace and icons outside it', async () => {
    const dir = await generated({ device: 'Dice' });
    await editJson(path.join(dir, 'package.json'), (pkg) => {
      pkg.specterExtension.configModule = 'dist/src/settings.js';
      pkg.specterExtension.devices = ['dist/src/devices/dise.js'];
      pkg.specterExtension.logo = 'img/logo.svg';
    });
    await fs.mkdir(path.join(dir, 'static', 'img'));
    const report = await validateExtensionPackage(dir);
    const checks = report.problems.map((p) => p.check).sort();
    assert.deepEqual(checks, ['config', 'devices', 'logo', 'static']);
    assert.match(report.problems.find((p) => p.check === 'logo')!.fix, /starts with "rubberduck\/"/);
    assert.match(report.problems.find((p) => p.check === 'static')!.fix, /Move them into static\/rubberduck\//);
  });

  it('a controller module that does not exist', async () => {
    const dir = await generated();
    await fs.rm(path.join(dir, 'src', 'controller.ts'));
    const report = await validateExtensionPackage(dir);
    assert.deepEqual(
      report.problems.map((p) => p.check),
      ['blueprint'],
    );
    assert.match(report.problems[0]!.fix, /hasBlueprint": false/);
  });

  it('what is not an extension package', async () => {
    const empty = await minimal({});
    assert.match((await validateExtensionPackage(empty)).problems[0]!.message, /no package\.json/);
    const plain = await minimal({ 'package.json': '{"name": "x", "version": "1.0.0"}' });
    assert.match((await validateExtensionPackage(plain)).problems[0]!.message, /no "specterExtension" key/);
    const broken = await minimal({ 'package.json': '{"name": ' });
    assert.match((await validateExtensionPackage(broken)).problems[0]!.fix, /JSON syntax/);
    const missing = await validateExtensionPackage(path.join(empty, 'nope'));
    assert.match(missing.problems[0]!.message, /is not a folder/);
  });

  it('reads a class-style manifest from the built main module', async () => {
    // The test fixture declares only id and engines in package.json; name & co. are on the class.
    const report = await validateExtensionPackage(path.join(REPO_ROOT, 'test', 'fixtures', 'extensions', 'hello'));
    assert.deepEqual(report.problems, []);
    assert.equal(report.id, 'hello');
  });

  it('the built-in extensions pass (they are shaped like published packages)', async () => {
    const root = path.join(REPO_ROOT, 'extensions');
    for (const name of await fs.readdir(root)) {
      if (!(await fs.stat(path.join(root, name))).isDirectory()) continue;
      const report = await validateExtensionPackage(path.join(root, name));
      assert.deepEqual(report.problems, [], name);
    }
  });

  it('tells a missing index route from one it cannot see', () => {
    assert.equal(definesIndexRoute("bp.get('/', 'index', h)"), true);
    assert.equal(definesIndexRoute('bp.get(\n  "/",\n  "index",\n  h)'), true);
    assert.equal(definesIndexRoute("bp.get('/settings', 'settings', h)"), false);
    assert.equal(definesIndexRoute("bp.route({ method: 'GET', url: '/', endpoint: 'index', handler })"), undefined);
    assert.equal(definesIndexRoute('export default function () {}'), undefined);
  });
});
