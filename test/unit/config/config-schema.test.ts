import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig } from '../../../src/config/index.js';
import { isSpecterError } from '../../../src/errors/index.js';

test('the config is validated once at load: a bad value names its setting', () => {
  assert.doesNotThrow(() => loadConfig('TestConfig', { env: {} }));
  for (const [env, key] of [
    [{ PORT: '70000' }, 'PORT'],
    [{ HANDLER_TIMEOUT: '0' }, 'HANDLER_TIMEOUT'],
    [{ SPECTER_URL_PREFIX: 'spc' }, 'SPECTER_URL_PREFIX'],
    [{ SERVICES_DEVSTATUS_THRESHOLD: 'gamma' }, 'SERVICES_DEVSTATUS_THRESHOLD'],
  ] as const) {
    assert.throws(
      () => loadConfig('TestConfig', { env }),
      (err: unknown) => isSpecterError(err, 'CONFIG_INVALID') && err.message.includes(key),
      key,
    );
  }
  const { config } = loadConfig('TestConfig', { env: { ALLOWED_HOSTS: 'a.example, b.onion' } });
  assert.deepEqual(config.ALLOWED_HOSTS, ['a.example', 'b.onion']);
});
