import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isSpecterError } from '../../../src/errors/index.js';
import {
  defineManifest,
  Extension,
  finalizeManifest,
  mergeManifests,
  parseClassManifest,
  parsePackageManifest,
  type ManifestOrigin,
} from '../../../src/extensions/index.js';

const origin: ManifestOrigin = { packageJsonPath: '/x/foo/package.json', packageName: 'specterext-foo', packageVersion: '1.0.0' };

function errorOf(fn: () => unknown): { key: string; message: string } {
  try {
    fn();
  } catch (err) {
    assert.ok(isSpecterError(err), `expected a SpecterError, got ${String(err)}`);
    return { key: err.key, message: err.message };
  }
  assert.fail('expected a throw');
}

const pkg = (raw: unknown) => finalizeManifest(parsePackageManifest(raw, origin), origin);

describe('manifest schema', () => {
  it('applies the seed defaults', () => {
    const m = pkg({ id: 'foo', name: 'Foo' });
    assert.equal(m.hasBlueprint, true);
    assert.equal(m.devstatus, 'alpha');
    assert.equal(m.optionality, 'opt_in');
    assert.equal(m.visibleInSidebar, true);
    assert.equal(m.encryptData, false);
    assert.equal(m.isolatedClient, false);
    assert.equal(m.sortPriority, 0);
    assert.equal(m.templates, 'templates');
    assert.equal(m.static, 'static');
    assert.equal(m.version, '1.0.0', 'falls back to the package version');
    assert.deepEqual(m.depends, []);
  });

  it('names the package, the field and the fix for a bad devstatus', () => {
    const e = errorOf(() => pkg({ id: 'foo', name: 'Foo', devstatus: 'gamma' }));
    assert.equal(e.key, 'EXT_MANIFEST_INVALID');
    assert.equal(e.message, 'extension "foo" (/x/foo/package.json): field "devstatus" is "gamma"; use alpha, beta or prod.');
  });

  it('reports a missing id and name', () => {
    const e = errorOf(() => pkg({ desc: 'x' }));
    assert.match(e.message, /^extension package "specterext-foo" \(\/x\/foo\/package\.json\):/);
    assert.match(e.message, /field "id" is missing; use lowercase letters/);
    assert.match(e.message, /field "name" is missing/);
  });

  it('refuses ids with "/", ".." or uppercase', () => {
    assert.match(errorOf(() => pkg({ id: 'a/b', name: 'X' })).message, /field "id" is "a\/b"; an id must not contain "\/"/);
    assert.match(errorOf(() => pkg({ id: '..', name: 'X' })).message, /field "id" is "\.\."; an id must not contain "\.\."/);
    assert.match(errorOf(() => pkg({ id: 'Swan', name: 'X' })).message, /field "id" is "Swan"; use lowercase letters, digits and "_" only/);
  });

  it('checks version and engines as semver', () => {
    assert.match(errorOf(() => pkg({ id: 'foo', name: 'F', version: '1.x' })).message, /field "version" is "1\.x"; use a semver version/);
    assert.match(
      errorOf(() => pkg({ id: 'foo', name: 'F', engines: 'not a range!' })).message,
      /field "engines" is "not a range!"; use a semver range for Specter TS/,
    );
    const bad = { ...origin, packageVersion: 'banana' };
    assert.match(
      errorOf(() => finalizeManifest(parsePackageManifest({ id: 'foo', name: 'F' }, bad), bad)).message,
      /package\.json "version" is "banana"/,
    );
  });

  it('suggests the camelCase name for a seed snake_case field', () => {
    const e = errorOf(() => pkg({ id: 'foo', name: 'F', has_blueprint: false }));
    assert.match(e.message, /field "has_blueprint" is not a manifest field; use "hasBlueprint"/);
  });

  it('validates depends entries and ranges', () => {
    const m = pkg({ id: 'foo', name: 'F', depends: ['swan', { notifications: '^1.0.0' }] });
    assert.deepEqual(m.depends, [{ id: 'swan' }, { id: 'notifications', range: '^1.0.0' }]);
    assert.deepEqual(pkg({ id: 'foo', name: 'F', depends: { swan: '>=2' } }).depends, [{ id: 'swan', range: '>=2' }]);
    assert.match(errorOf(() => pkg({ id: 'foo', name: 'F', depends: [{ swan: 'nope nope' }] })).message, /field "depends"/);
    assert.match(errorOf(() => pkg({ id: 'foo', name: 'F', depends: ['foo'] })).message, /names the extension itself/);
  });

  it('applies the seed blueprint map rules (EXT_BLUEPRINT_INVALID)', () => {
    const noDefault = errorOf(() => pkg({ id: 'foo', name: 'F', blueprintModules: { ui: './ui.js' } }));
    assert.equal(noDefault.key, 'EXT_BLUEPRINT_INVALID');
    assert.match(noDefault.message, /You need at least one Blueprint, with the key 'default'/);
    const emptyKey = errorOf(() => pkg({ id: 'foo', name: 'F', blueprintModules: { default: './c.js', '': './x.js' } }));
    assert.equal(emptyKey.key, 'EXT_BLUEPRINT_INVALID');
    assert.match(emptyKey.message, /Empty keys are not allowed in the blueprints map/);
    assert.match(
      errorOf(() => pkg({ id: 'foo', name: 'F', blueprintModule: './a.js', blueprintModules: { default: './b.js' } })).message,
      /both set/,
    );
    assert.deepEqual(pkg({ id: 'foo', name: 'F', blueprintModule: './c.js' }).blueprintModules, { default: './c.js' });
  });

  it('keeps static and templates folders inside the package', () => {
    assert.match(
      errorOf(() => pkg({ id: 'foo', name: 'F', static: '../../etc' })).message,
      /field "static" is "\.\.\/\.\.\/etc"; it must stay inside the package/,
    );
    assert.match(errorOf(() => pkg({ id: 'foo', name: 'F', templates: '/abs' })).message, /field "templates"/);
  });

  it('validates declared callbacks', () => {
    assert.match(
      errorOf(() => pkg({ id: 'foo', name: 'F', callbacks: [{ id: 'foo_done', style: 'waterfall' }] })).message,
      /field "callbacks\[0\]\.style" is "waterfall"; use collect or middleware\./,
    );
    assert.deepEqual(pkg({ id: 'foo', name: 'F', callbacks: [{ id: 'foo_done', style: 'collect' }] }).callbacks, [
      { id: 'foo_done', style: 'collect' },
    ]);
  });

  it('refuses a non-object specterExtension', () => {
    assert.match(errorOf(() => parsePackageManifest('yes', origin)).message, /must be an object, got string/);
  });

  it('merges class and package.json; equal duplicates pass, conflicts name both sides', () => {
    const clsOrigin = { ...origin, className: 'FooExt' };
    const merged = mergeManifests(
      parsePackageManifest({ id: 'foo', devstatus: 'beta' }, clsOrigin),
      parseClassManifest({ id: 'foo', name: 'Foo' }, clsOrigin),
      clsOrigin,
    );
    const m = finalizeManifest(merged, clsOrigin);
    assert.equal(m.name, 'Foo');
    assert.equal(m.devstatus, 'beta');
    const e = errorOf(() =>
      mergeManifests(
        parsePackageManifest({ id: 'foo', devstatus: 'beta' }, clsOrigin),
        parseClassManifest({ devstatus: 'prod' }, clsOrigin),
        clsOrigin,
      ),
    );
    assert.match(e.message, /field "devstatus" is "beta" in package\.json but "prod" in class FooExt; declare it in one place\./);
  });

  it('refuses "main" on a class manifest (package.json only)', () => {
    assert.match(
      errorOf(() => parseClassManifest({ id: 'foo', main: './x.js' }, { className: 'X' })).message,
      /field "main" is not a manifest field/,
    );
  });

  it('types: defineManifest keeps literals; callback names are checked', () => {
    class Typed extends Extension {
      static override manifest = defineManifest({ id: 'typed', name: 'Typed', devstatus: 'beta' });
    }
    class Plain extends Extension {
      // A plain literal compiles too: enum-like fields are strings in the input type.
      static override manifest = { id: 'plain', name: 'Plain', devstatus: 'prod', depends: ['typed'] };
    }
    class Callbacks extends Extension {
      // With noImplicitOverride, `override` makes TypeScript check the callback name and signature.
      override callback_adjust_view_model(vm: { n: number }) {
        return vm;
      }
      // @ts-expect-error a misspelt callback is caught at compile time
      override callback_flsh() {}
    }
    assert.equal(typeof Callbacks.prototype.callback_adjust_view_model, 'function');
    const d: 'beta' = Typed.manifest.devstatus;
    assert.equal(d, 'beta');
    assert.equal(Plain.manifest.id, 'plain');
  });
});
