import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CapabilitySet, capabilityProblem, effectiveCapabilities } from '../../../src/extensions/capabilities.js';
import { isSpecterError } from '../../../src/errors/index.js';

describe('capabilities', () => {
  it('validates names and network hosts, with the fix in the message', () => {
    assert.equal(capabilityProblem('wallets:read'), null);
    assert.equal(capabilityProblem('network:api.example.com'), null);
    assert.equal(capabilityProblem('network:*.example.com:8443'), null);
    assert.match(capabilityProblem('wallets:write')!, /not a capability; use wallets:read, /);
    assert.match(capabilityProblem('network:http://x.com')!, /names no valid host/);
  });

  it('network: exact hosts, ports when named, and *. wildcards for subdomains only', () => {
    const caps = new CapabilitySet('p', ['network:api.example.com', 'network:*.pool.example:8443', 'network:127.0.0.1']);
    const ok = (url: string) => {
      try {
        caps.requireHost(new URL(url), 'test');
        return true;
      } catch (err) {
        assert.ok(isSpecterError(err, 'EXT_CAPABILITY_MISSING'));
        return false;
      }
    };
    assert.equal(ok('https://api.example.com/v1'), true);
    assert.equal(ok('https://api.example.com:444/v1'), true, 'no port named: any port');
    assert.equal(ok('https://evil.api.example.com/'), false);
    assert.equal(ok('https://example.com/'), false);
    assert.equal(ok('https://eu.pool.example:8443/'), true);
    assert.equal(ok('https://eu.pool.example/'), false, 'the named port only');
    assert.equal(ok('https://pool.example:8443/'), false, 'a wildcard matches subdomains, not the domain');
    assert.equal(ok('http://127.0.0.1:9999/'), true);
  });

  it('encryptData implies storage:encrypted', () => {
    assert.deepEqual(effectiveCapabilities(['jobs'], true), ['jobs', 'storage:encrypted']);
    assert.deepEqual(effectiveCapabilities(['jobs'], false), ['jobs']);
  });
});
