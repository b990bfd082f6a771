import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import {
  buildContext,
  generateExtension,
  resolveAnswers,
  runExtGen,
  specterTsHome,
  targetDir,
  type GenAnswers,
} from '../../../../src/cli/ext/gen.js';
import { GENERATOR_TEMPLATES_DIR, renderExtensionFiles, TEMPLATE_FILES } from '../../../../src/cli/ext/meta-templates.js';
import { camelcase, checkDeviceName, checkId, checkOrg, displayName, snakecase } from '../../../../src/cli/ext/naming.js';
import { packageManifestSchema } from '../../../../src/extensions/manifest-schema.js';
import { PACKAGE_ROOT, VERSION } from '../../../../src/version.js';
import { answers, capture, listFiles, tempDir } from './_helpers.js';

const base: GenAnswers = { id: 'rubberduck', org: 'mynym', isolatedClient: false, encryptData: false, device: null };
const render = (a: Partial<GenAnswers> = {}) => {
  const files = renderExtensionFiles(buildContext({ ...base, ...a }, {}));
  return new Map(files.map((f) => [f.path, f.content]));
};

const dirs: string[] = [];
after(async () => {
  for (const d of dirs) await fs.rm(d, { recursive: true, force: true });
});
async function tmp(): Promise<string> {
  const d = await tempDir();
  dirs.push(d);
  return d;
}

describe('ext gen: names and input rules', () => {
  it('accepts good ids and explains bad ones with a fix', () => {
    for (const id of ['rubberduck', 'rubber_duck', 'a1', 'swan2']) assert.equal(checkId(id), undefined, id);
    assert.match(checkId('RubberDuck')!, /has capital letters; .* e\.g\. "rubberduck"/);
    assert.match(checkId('Rubber-Duck')!, /has capital letters and has "-", "\." or spaces; .* e\.g\. "rubber_duck"/);
    assert.match(checkId('rubber duck')!, /e\.g\. "rubber_duck"/);
    assert.match(checkId('1duck')!, /does not start with a letter; .* e\.g\. "duck"/);
    assert.match(checkId('duck!')!, /has other characters; .* e\.g\. "duck"/);
    assert.match(checkId('')!, /empty/);
    assert.match(checkId('x'.repeat(41))!, /at most 40/);
    assert.match(checkId('settings')!, /taken by Specter TS itself.*"my_settings"/);
  });

  it('checks the npm scope and the device name', () => {
    assert.equal(checkOrg(''), undefined);
    assert.equal(checkOrg('mynym'), undefined);
    assert.match(checkOrg('@mynym')!, /drop the "@"/);
    assert.match(checkOrg('MyNym')!, /lowercase, e\.g\. "mynym"/);
    assert.match(checkOrg('my nym')!, /not a valid npm scope/);
    assert.equal(checkDeviceName('Dice'), undefined);
    assert.equal(checkDeviceName('BitBox02'), undefined);
    assert.match(checkDeviceName('dice')!, /CamelCase/);
    assert.match(checkDeviceName('my dice')!, /e\.g\. "MyDice"/);
  });

  it('derives names like Specter (camelcase, snakecase)', () => {
    assert.equal(camelcase('rubber_duck'), 'RubberDuck');
    assert.equal(camelcase('rubberduck'), 'Rubberduck');
    assert.equal(snakecase('MyDice'), 'my_dice');
    assert.equal(snakecase('BitBox02'), 'bit_box02');
    assert.equal(snakecase('ABCDevice'), 'abc_device');
    assert.equal(displayName('rubber_duck'), 'Rubber Duck');
  });
});

describe('ext gen: templates', () => {
  it('ships every template it lists, and lists every template it ships', async () => {
    const shipped = (await listFiles(GENERATOR_TEMPLATES_DIR)).filter((f) => f.endsWith('.tmpl'));
    assert.deepEqual([...TEMPLATE_FILES.map((f) => f.from)].sort(), shipped);
  });

  it('renders a complete default package', () => {
    const files = render();
    assert.deepEqual([...files.keys()].sort(), [
      '.gitignore',
      'README.md',
      'package.json',
      'scripts/specter-ts.mjs',
      'src/config.ts',
      'src/controller.ts',
      'src/index.ts',
      'static/rubberduck/css/styles.css',
      'static/rubberduck/img/icon.svg',
      'static/rubberduck/img/logo.svg',
      'templates/rubberduck/base.njk',
      'templates/rubberduck/components/rubberduck_menu.njk',
      'templates/rubberduck/components/rubberduck_tab.njk',
      'templates/rubberduck/index.njk',
      'templates/rubberduck/settings.njk',
      'templates/rubberduck/wallet.njk',
      'test/rubberduck.test.ts',
      'tsconfig.json',
    ]);
    for (const [file, content] of files) {
      // No meta syntax survives: `<=`, `<<`, `<#` would be a template bug.
      assert.doesNotMatch(content, /<=|<<|<#|#>|>>/, file);
    }
  });

  it('writes package.json with the manifest the loader accepts', () => {
    const pkg = JSON.parse(render().get('package.json')!) as Record<string, any>;
    assert.equal(pkg.name, '@mynym/specterext-rubberduck');
    assert.equal(pkg.type, 'module');
    assert.equal(pkg.main, 'dist/src/index.js');
    assert.deepEqual(pkg.specterExtension, {
      id: 'rubberduck',
      name: 'Rubberduck',
      icon: 'rubberduck/img/icon.svg',
      logo: 'rubberduck/img/logo.svg',
      desc: 'Rubberduck: a Specter TS extension.',
      devstatus: 'alpha',
      isolatedClient: false,
      encryptData: false,
      sortPriority: 2,
      capabilities: ['wallets:read'],
      engines: `>=${VERSION}`,
    });
    assert.ok(packageManifestSchema.safeParse(pkg.specterExtension).success);
    assert.equal(pkg.scripts.build, 'node scripts/specter-ts.mjs && tsc -p tsconfig.json');
    assert.equal(pkg.scripts.test, 'npm run build && node --import ./.specter-ts/dist/src/register.js --test dist/test/');
    assert.equal(pkg.scripts.dev, 'npm run build && node .specter-ts/dist/src/cli/main.js server --config DevelopmentConfig');
    // Nothing for npm to look up: specter-ts is neither a dependency nor a peer (even an optional
    // peer makes npm ask the registry for it); the app provides it, the manifest's engines check it.
    assert.equal(pkg.devDependencies['specter-ts'], undefined);
    assert.equal(pkg.peerDependencies, undefined);
    assert.ok(pkg.devDependencies.typescript && pkg.devDependencies['@types/node']);
    assert.ok(pkg.files.includes('SPECTER_SIGNATURE.json'));
    assert.doesNotMatch(render().get('package.json')!, /file:|\/work\/|\/home\//, 'no local path in package.json');
    const tsconfig = JSON.parse(render().get('tsconfig.json')!) as { extends?: string; compilerOptions: Record<string, unknown> };
    assert.equal(tsconfig.extends, undefined, 'standalone: it must not extend a Specter TS tsconfig');
  });

  it('an unscoped package when there is no org', () => {
    assert.equal(JSON.parse(render({ org: '' }).get('package.json')!).name, 'specterext-rubberduck');
  });

  it('keeps the nunjucks syntax of the generated templates', () => {
    const files = render();
    assert.match(files.get('templates/rubberduck/index.njk')!, /\{% extends "rubberduck\/base\.njk" %\}/);
    assert.match(
      files.get('templates/rubberduck/base.njk')!,
      /\{\{ url_for\('rubberduck_endpoint\.static', \{filename: 'rubberduck\/css\/styles\.css'\}\) \}\}/,
    );
    assert.match(files.get('templates/rubberduck/settings.njk')!, /name="csrf_token" value="\{\{ csrf_token \}\}"/);
    assert.match(files.get('src/config.ts')!, /RUBBERDUCK_SOMEKEY = 'some value'/);
    assert.match(files.get('src/index.ts')!, /export default class RubberduckExtension extends Extension/);
    assert.match(files.get('src/index.ts')!, /callback_after_serverpy_init_app\(\{ scheduler \}/);
    assert.match(files.get('src/index.ts')!, /callback_add_wallettabs\(\): ExtensionTab\[\]/);
    assert.match(files.get('src/controller.ts')!, /bp\.get\('\/', 'index'/);
    assert.match(files.get('src/controller.ts')!, /bp\.get\('\/wallet\/:wallet_alias', 'wallet'/);
    assert.doesNotMatch(files.get('src/controller.ts')!, /userSecretDecryptedRequired/);
  });

  it('isolated client: one standalone page at /ext/<id>/, no settings or wallet tab', () => {
    const files = render({ isolatedClient: true });
    assert.ok(!files.has('templates/rubberduck/settings.njk'));
    assert.ok(!files.has('templates/rubberduck/base.njk'));
    assert.ok(!files.has('templates/rubberduck/wallet.njk'));
    assert.doesNotMatch(files.get('templates/rubberduck/index.njk')!, /extends "base\.njk"/);
    assert.match(files.get('templates/rubberduck/index.njk')!, /<!doctype html>/);
    assert.doesNotMatch(files.get('src/index.ts')!, /add_wallettabs|getCurrentUserServiceData/);
    assert.match(files.get('test/rubberduck.test.ts')!, /`\/ext\/\$\{ID\}\/`/);
    assert.equal(JSON.parse(files.get('package.json')!).specterExtension.isolatedClient, true);
  });

  it('encrypted data: the manifest says so and the routes need the unlocked secret', () => {
    const files = render({ encryptData: true });
    assert.equal(JSON.parse(files.get('package.json')!).specterExtension.encryptData, true);
    assert.match(files.get('src/controller.ts')!, /import \{ userSecretDecryptedRequired \} from 'specter-ts';/);
    assert.equal(files.get('src/controller.ts')!.match(/, unlocked\);/g)?.length, 4);
    // An isolated client has no user, hence nothing to encrypt.
    assert.equal(JSON.parse(render({ encryptData: true, isolatedClient: true }).get('package.json')!).specterExtension.encryptData, false);
  });

  it('a device type module, its icon and its manifest entry', () => {
    const files = render({ device: 'MyDice' });
    assert.match(files.get('src/devices/my_dice.ts')!, /export const MyDiceDevice = \{\n {2}type: 'my_dice',\n {2}name: 'MyDice',/);
    assert.match(files.get('src/devices/my_dice.ts')!, /icon: 'rubberduck\/img\/device_icon\.svg'/);
    assert.ok(files.has('static/rubberduck/img/device_icon.svg'));
    assert.deepEqual(JSON.parse(files.get('package.json')!).specterExtension.devices, ['dist/src/devices/my_dice.js']);
    assert.match(files.get('test/rubberduck.test.ts')!, /=== 'my_dice'/);
    assert.ok(!render().has('static/rubberduck/img/device_icon.svg'));
  });

  it('generated SVGs are text and well formed enough to parse as XML-ish', () => {
    const svg = render().get('static/rubberduck/img/icon.svg')!;
    assert.match(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"[^>]*>[\s\S]*<\/svg>\n$/);
    assert.match(svg, /fill="#[0-9a-f]{6}"/);
    assert.match(svg, />R<\/text>/);
  });
});

describe('ext gen: flags, prompts, output folder', () => {
  it('--yes needs --id and takes defaults for the rest', async () => {
    await assert.rejects(resolveAnswers({ yes: true }), /--id is required with --yes/);
    assert.deepEqual(await resolveAnswers({ yes: true, id: 'duck' }), {
      id: 'duck',
      org: '',
      isolatedClient: false,
      encryptData: false,
      device: null,
    });
    assert.deepEqual(await resolveAnswers({ yes: true, id: 'duck', org: 'me', isolatedClient: true, device: 'Dice' }), {
      id: 'duck',
      org: 'me',
      isolatedClient: true,
      encryptData: false,
      device: 'Dice',
    });
    assert.equal((await resolveAnswers({ yes: true, id: 'duck', device: 'none' })).device, null);
  });

  it('bad flags are refused with every problem and a fix, exit code 2', async () => {
    await assert.rejects(resolveAnswers({ yes: true, id: 'Duck', org: '@me', device: 'dice' }), (err: Error) => {
      assert.match(err.message, /--id: "Duck" has capital letters; .* e\.g\. "duck"/);
      assert.match(err.message, /--org: drop the "@"/);
      assert.match(err.message, /--device: "dice" is not a CamelCase name/);
      return true;
    });
    const out = capture();
    assert.equal(await runExtGen({ yes: true, id: 'bad-id' }, { output: out }), 2);
    assert.match(out.text(), /specter ext gen: --id: "bad-id" has "-", "\." or spaces; .* e\.g\. "bad_id"/);
  });

  it('prompts for what the flags do not give, and re-asks a bad id', async () => {
    const out = capture();
    const a = await resolveAnswers({}, { input: answers('Rubber Duck', 'rubber_duck', 'mynym', 'n', 'y', 'Dice'), output: out });
    assert.deepEqual(a, { id: 'rubber_duck', org: 'mynym', isolatedClient: false, encryptData: true, device: 'Dice' });
    const text = out.text();
    assert.match(text, /Enter the id of your extension/);
    assert.match(text, /"Rubber Duck" has capital letters and has "-", "\." or spaces; .* e\.g\. "rubber_duck"/);
    assert.equal(text.match(/Enter the id of your extension/g)?.length, 2);
    assert.match(text, /Should the extension work in isolated client mode/);
    assert.match(text, /Type the device type's name in CamelCase/);
  });

  it('asks only what the flags leave open; [enter] takes the defaults', async () => {
    const out = capture();
    const a = await resolveAnswers({ id: 'duck', org: '' }, { input: answers('', '', ''), output: out });
    assert.deepEqual(a, { id: 'duck', org: '', isolatedClient: false, encryptData: false, device: null });
    assert.doesNotMatch(out.text(), /Enter the id|Enter the prefix/);
  });

  it('an isolated client is not asked about encryption', async () => {
    const out = capture();
    const a = await resolveAnswers({ id: 'duck', org: '' }, { input: answers('y', ''), output: out });
    assert.equal(a.isolatedClient, true);
    assert.equal(a.encryptData, false);
    assert.doesNotMatch(out.text(), /encrypted/);
  });

  it('input that ends before the answers is a clear error (exit 2)', async () => {
    const out = capture();
    assert.equal(await runExtGen({}, { input: answers('duck'), output: out, cwd: await tmp() }), 2);
    assert.match(out.text(), /the input ended before an answer to "Enter the prefix/);
  });

  it('writes into <dir>/specterext-<id>, or into <dir> when it already has that name', () => {
    assert.equal(targetDir('/a/b', 'duck'), path.join('/a/b', 'specterext-duck'));
    assert.equal(targetDir('/a/specterext-duck', 'duck'), '/a/specterext-duck');
  });

  it('links .specter-ts to --specter-path, else SPECTER_TS_HOME, else this Specter TS', () => {
    assert.equal(specterTsHome({}, {}, '/w'), PACKAGE_ROOT);
    assert.equal(specterTsHome({}, { SPECTER_TS_HOME: '/opt/specter' }, '/w'), '/opt/specter');
    assert.equal(specterTsHome({ specterPath: '../specter' }, { SPECTER_TS_HOME: '/opt/specter' }, '/w/x'), path.resolve('/w/x', '../specter'));
  });

  it('never overwrites an existing file, and reports the skipped ones', async () => {
    const dir = await tmp();
    const first = await generateExtension(base, { dir });
    assert.equal(first.dir, path.join(dir, 'specterext-rubberduck'));
    assert.equal(first.skipped.length, 0);
    assert.equal(first.linked, PACKAGE_ROOT);
    assert.equal(await fs.realpath(path.join(first.dir, '.specter-ts')), await fs.realpath(PACKAGE_ROOT));
    assert.deepEqual(
      (await listFiles(first.dir)).filter((f) => f !== '.specter-ts'),
      [...first.written].sort(),
    );

    const mine = path.join(first.dir, 'src', 'controller.ts');
    await fs.writeFile(mine, '// my own controller\n');
    await fs.rm(path.join(first.dir, 'README.md'));
    const again = await generateExtension({ ...base, device: 'Dice' }, { dir });
    assert.deepEqual(again.written.sort(), ['README.md', 'src/devices/dice.ts', 'static/rubberduck/img/device_icon.svg']);
    assert.ok(again.skipped.includes('src/controller.ts'));
    assert.ok(again.skipped.includes('package.json'));
    assert.equal(await fs.readFile(mine, 'utf8'), '// my own controller\n');
  });

  it('prints the files and the next steps, like Specter', async () => {
    const cwd = await tmp();
    const out = capture();
    const code = await runExtGen({ id: 'duck', yes: true, dir: '.' }, { output: out, cwd, env: {} });
    assert.equal(code, 0, out.text());
    const text = out.text();
    assert.match(text, /Generated extension "duck" \(specterext-duck\) in /);
    assert.match(text, /\+ package\.json/);
    assert.match(text, /Next steps:\n {2}cd specterext-duck\n {2}npm install\n {2}npm test/);
    assert.match(text, /npm run dev/);
    assert.match(text, /\/spc\/plugins\/choose/);
    const pkg = JSON.parse(await fs.readFile(path.join(cwd, 'specterext-duck', 'package.json'), 'utf8'));
    assert.equal(pkg.devDependencies['specter-ts'], undefined);
    assert.match(text, /\.specter-ts -> /);

    const again = capture();
    assert.equal(await runExtGen({ id: 'duck', yes: true }, { output: again, cwd }), 0);
    assert.match(again.text(), /Skipped 19 file\(s\) that already exist \(never overwritten\)/);
  });

  it('--dry-run writes nothing', async () => {
    const cwd = await tmp();
    const out = capture();
    assert.equal(await runExtGen({ id: 'duck', yes: true, dryRun: true }, { output: out, cwd }), 0);
    assert.match(out.text(), /Would write 19 files/);
    assert.deepEqual(await fs.readdir(cwd), []);
  });
});
