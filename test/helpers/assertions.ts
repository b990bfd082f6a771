import assert from 'node:assert/strict';
import { isSpecterError } from '../../src/errors/index.js';

/** `fn` throws a SpecterError with catalogue key `key` whose message or hint matches `pattern`. */
export function throwsSpecterError(fn: () => unknown, key: string, pattern: RegExp): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(isSpecterError(err), `expected a SpecterError, got ${String(err)}`);
    assert.equal(err.key, key, err.message);
    assert.match(`${err.message} ${err.hint ?? ''}`, pattern);
    return true;
  });
}
