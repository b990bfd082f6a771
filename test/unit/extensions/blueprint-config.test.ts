import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { configChain, ProductionConfig, TestConfig } from '../../../src/config/index.js';
import { isSpecterError } from '../../../src/errors/index.js';
import {
  applyOptionality,
  activateService,
  Blueprint,
  blueprintPrefix,
  canDeactivate,
  deactivateService,
  EndpointRegistry,
  mergeExtensionConfig,
  registerBlueprintEndpoints,
  validateDefaultBlueprint,
} from '../../../src/extensions/index.js';
import { makeConfig } from './_helpers.js';

const config = { EXT_URL_PREFIX: '/spc/ext', ISOLATED_CLIENT_EXT_URL_PREFIX: '/ext' };
const bp = (key = 'default', isolated = false) =>
  new Blueprint({ extId: 'swan', key, urlPrefix: blueprintPrefix(config, 'swan', key, isolated), isolatedClient: isolated });

describe('Blueprint', () => {
  it('names and prefixes: default, keyed, isolated', () => {
    assert.deepEqual([bp().name, bp().urlPrefix], ['swan_endpoint', '/spc/ext/swan']);
    assert.deepEqual([bp('ui').name, bp('ui').urlPrefix], ['swan_ui_endpoint', '/spc/ext/swan/ui']);
    assert.deepEqual([bp('default', true).urlPrefix, bp('api', true).urlPrefix], ['/ext/swan', '/ext/swan/api']);
    assert.equal(bp().staticPrefix, '/spc/ext/swan/static/');
  });

  it('collects routes and refuses duplicates, bad urls and reserved names', () => {
    const b = bp();
    b.get('/', 'index', () => 'i')
      .post('/', 'index_post', () => 'p')
      .route({ method: 'PUT', url: '/x', endpoint: 'x', handler: () => 'x' });
    assert.deepEqual(
      b.routes.map((r) => [r.method, r.path, r.endpoint]),
      [
        ['GET', '/spc/ext/swan/', 'swan_endpoint.index'],
        ['POST', '/spc/ext/swan/', 'swan_endpoint.index_post'],
        ['PUT', '/spc/ext/swan/x', 'swan_endpoint.x'],
      ],
    );
    const bad = (fn: () => unknown, re: RegExp) => assert.throws(fn, (e) => isSpecterError(e, 'EXT_BLUEPRINT_INVALID') && re.test(e.message));
    bad(() => b.get('/', 'again', () => 1), /GET \/ is defined twice/);
    bad(() => b.get('/y', 'index', () => 1), /endpoint "index" is defined twice/);
    bad(() => b.get('y', 'y', () => 1), /must start with "\/"/);
    bad(() => b.get('/s', 'static', () => 1), /reserved/);
    bad(() => b.get('/s', 'has-dash', () => 1), /endpoint name "has-dash" is not valid/);
  });

  it('the default blueprint must have GET "/" named index', () => {
    const b = bp();
    b.get('/home', 'index', () => 1);
    assert.throws(
      () => validateDefaultBlueprint(b),
      (e) => isSpecterError(e, 'EXT_BLUEPRINT_INVALID') && /swan_endpoint\.index/.test(e.hint ?? ''),
    );
    const ok = bp();
    ok.get('/', 'index', () => 1);
    validateDefaultBlueprint(ok);
  });
});

describe('EndpointRegistry.urlFor', () => {
  it('substitutes path params, puts the rest in the query, supports wildcard and anchor', () => {
    const r = new EndpointRegistry();
    r.registerEndpoint('wallets_endpoint.wallet', '/spc/wallets/wallet/:wallet_alias/');
    r.registerEndpoint('swan_endpoint.static', '/spc/ext/swan/static/:filename*');
    assert.equal(
      r.urlFor('wallets_endpoint.wallet', { wallet_alias: 'a/b c', tab: 'send', n: [1, 2], skip: undefined }),
      '/spc/wallets/wallet/a%2Fb%20c/?tab=send&n=1&n=2',
    );
    assert.equal(
      r.urlFor('swan_endpoint.static', { filename: 'swan/img/x y.svg', v: 3, _anchor: 'top' }),
      '/spc/ext/swan/static/swan/img/x%20y.svg?v=3#top',
    );
    assert.throws(
      () => r.urlFor('wallets_endpoint.wallet'),
      (e) => isSpecterError(e, 'EXT_ENDPOINT_UNKNOWN') && /missing value for "wallet_alias"/.test(e.message),
    );
    assert.throws(
      () => r.urlFor('nope.index'),
      (e) => isSpecterError(e, 'EXT_ENDPOINT_UNKNOWN') && /no such endpoint/.test(e.message),
    );
    assert.throws(
      () => r.registerEndpoint('swan_endpoint.static', '/x'),
      (e) => isSpecterError(e, 'EXT_ENDPOINT_CONFLICT'),
    );
    r.registerEndpoint('static', '/static/*');
    assert.equal(r.urlFor('static', { filename: 'css/app.css' }), '/static/css/app.css', 'a Fastify wildcard is the filename');
  });

  it('registers blueprint endpoints all or nothing', () => {
    const r = new EndpointRegistry();
    const b = bp();
    b.get('/', 'index', () => 1).get('/item/:id(^\\d+)', 'item', () => 1);
    assert.deepEqual(registerBlueprintEndpoints(r, [b]), ['swan_endpoint.static', 'swan_endpoint.index', 'swan_endpoint.item']);
    assert.equal(r.urlFor('swan_endpoint.item', { id: 7 }), '/spc/ext/swan/item/7', 'regex constraints are dropped for building');
    const clash = bp('ui');
    clash.get('/', 'index', () => 1);
    r.registerEndpoint('swan_ui_endpoint.index', '/taken');
    assert.throws(
      () => registerBlueprintEndpoints(r, [clash]),
      (e) => isSpecterError(e, 'EXT_ENDPOINT_CONFLICT'),
    );
    assert.equal(r.has('swan_ui_endpoint.static'), false, 'nothing registered on conflict');
  });
});

describe('mergeExtensionConfig', () => {
  const chain = configChain(TestConfig);

  it('walks the chain, first match wins; static and instance fields; falsy core values may be overwritten', () => {
    assert.deepEqual(chain, ['TestConfig', 'BaseConfig']);
    const cfg = makeConfig('/tmp/x', { SWAN_EMPTY: '' });
    class BaseConfig {
      static SWAN_STATIC = 's';
      SWAN_URL = 'base';
      SWAN_EMPTY = 'filled';
    }
    class ProductionCfg extends BaseConfig {
      override SWAN_URL = 'prod';
    }
    const result = mergeExtensionConfig({ extId: 'swan', module: { BaseConfig, ProductionConfig: ProductionCfg }, chain, config: cfg });
    assert.equal(result.used, 'BaseConfig');
    assert.deepEqual(result.keys.sort(), ['SWAN_EMPTY', 'SWAN_STATIC', 'SWAN_URL']);
    assert.equal(cfg.SWAN_URL, 'base');
    assert.equal(cfg.SWAN_EMPTY, 'filled');
    result.restore();
    assert.equal(cfg.SWAN_URL, undefined);
    assert.equal(cfg.SWAN_EMPTY, '');
    const prod = makeConfig('/tmp/x');
    mergeExtensionConfig({
      extId: 'swan',
      module: { BaseConfig, ProductionConfig: ProductionCfg },
      chain: configChain(ProductionConfig),
      config: prod,
    });
    assert.equal(prod.SWAN_URL, 'prod');
  });

  it('refuses to override a truthy key, naming extension, key and fix, and writes nothing', () => {
    const cfg = makeConfig('/tmp/x');
    assert.throws(
      () => mergeExtensionConfig({ extId: 'swan', module: { TestConfig: { SWAN_A: 1, EXT_URL_PREFIX: '/x' } }, chain, config: cfg }),
      (e) =>
        isSpecterError(e, 'CONFIG_KEY_OVERRIDE') &&
        /Config TestConfig of extension "swan" tries to override existing key EXT_URL_PREFIX/.test(e.message) &&
        /SWAN_EXT_URL_PREFIX/.test(e.hint ?? ''),
    );
    assert.equal(cfg.SWAN_A, undefined);
    assert.equal(mergeExtensionConfig({ extId: 'swan', module: { DevelopmentConfig: { X: 1 } }, chain, config: cfg }).used, undefined);
  });
});

describe('per-user activation', () => {
  const exts = [
    { id: 'must', optionality: 'mandatory' as const },
    { id: 'default_on', optionality: 'opt_out' as const },
    { id: 'choose', optionality: 'opt_in' as const },
  ];

  it('adds mandatory and opt_out for a new user, keeps unknown ids, never adds opt_in', () => {
    assert.deepEqual(applyOptionality([], [], exts), ['must', 'default_on']);
    assert.deepEqual(applyOptionality(['uninstalled', 'choose'], [], exts), ['uninstalled', 'choose', 'must', 'default_on']);
  });

  it('does not re-add an opt_out extension the user removed; mandatory always comes back', () => {
    let state = { services: applyOptionality([], [], exts), servicesRemoved: [] as string[] };
    state = deactivateService(state, exts[1]!);
    assert.deepEqual(state, { services: ['must'], servicesRemoved: ['default_on'] });
    assert.deepEqual(applyOptionality(state.services, state.servicesRemoved, exts), ['must']);
    assert.throws(
      () => deactivateService(state, exts[0]!),
      (e) => isSpecterError(e, 'VALIDATION'),
    );
    assert.deepEqual(applyOptionality([], ['must'], exts), ['must', 'default_on']);
    state = activateService(state, 'default_on');
    assert.deepEqual(state, { services: ['must', 'default_on'], servicesRemoved: [] });
    assert.equal(canDeactivate(exts[0]!), false);
    assert.equal(canDeactivate(exts[2]!), true);
  });
});
