/**
 * The pure parts of the send flow: Core's dust thresholds, the fee-rate rule (above 0; above 1,000
 * sat/vB only when confirmed), Core's reject reasons in words, and the pending PSBTs file (kept
 * across instances, a damaged file reported and left alone, emptied files removed).
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { addressScript } from '../../../../src/bitcoin/psbt.js';
import { isSpecterError } from '../../../../src/errors/index.js';
import { JsonFileStore } from '../../../../src/persistence/index.js';
import {
  checkFeeRate,
  dustLimit,
  feesFromCore,
  PendingPsbtStore,
  rejectReasonInWords,
  type PendingPsbt,
} from '../../../../src/managers/psbt/index.js';

describe('dustLimit', () => {
  it("is Bitcoin Core's threshold at 3 sat/vB: 546 P2PKH, 540 P2SH, 294 P2WPKH, 330 P2WSH and P2TR", () => {
    const cases: Array<[string, number]> = [
      ['mipcBbFg9gMiCh81Kj8tqqdgoZub1ZJRfn', 546],
      ['2MzQwSSnBHWHqSAqtTVQ6v47XtaisrJa1Vc', 540],
      ['bcrt1qw508d6qejxtdg4y5r3zarvary0c5xw7kygt080', 294],
      ['bcrt1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3qzf4jry', 330],
    ];
    for (const [address, dust] of cases) assert.equal(dustLimit(addressScript(address, 'regtest')), dust, address);
  });
});

describe('checkFeeRate', () => {
  it('takes sat/vB above 0 (3 decimals at most); above 1,000 only when confirmed', () => {
    assert.equal(checkFeeRate(1, undefined), 1);
    assert.equal(checkFeeRate(2.34567, undefined), 2.346);
    assert.equal(checkFeeRate(1_000, false), 1_000);
    assert.equal(checkFeeRate(5_000, true), 5_000);
    for (const bad of [0, -1, Number.NaN, Number.POSITIVE_INFINITY, '5']) {
      assert.throws(
        () => checkFeeRate(bad, true),
        (e: unknown) => isSpecterError(e, 'PSBT_FEE_RATE'),
        String(bad),
      );
    }
    assert.throws(
      () => checkFeeRate(1_000.5, undefined),
      (e: unknown) => isSpecterError(e, 'PSBT_FEE_RATE') && /confirm/.test(e.hint ?? ''),
    );
  });
});

describe('feesFromCore', () => {
  it("Core's BTC/kvB as sat/vB with one decimal, slower never above faster", () => {
    const fees = feesFromCore({
      fast: { feerate: 0.00025 },
      medium: { feerate: 0.000123 },
      slow: { feerate: 0.0002 },
      minimum: { feerate: 0.00001 },
    });
    assert.deepEqual(fees, { fast: 25, medium: 12.3, slow: 12.3, minimum: 1, source: 'core', notice: null });
  });

  it('no estimate (regtest, errors, a failed call): 1 sat/vB where missing, and a notice naming why', () => {
    const partial = feesFromCore({
      fast: { feerate: 0.0001 },
      medium: { errors: ['Insufficient data or no feerate found'] },
      slow: undefined,
      minimum: { feerate: 0.0000099 },
    });
    assert.deepEqual({ ...partial, notice: undefined }, { fast: 10, medium: 1, slow: 1, minimum: 1, source: 'fallback', notice: undefined });
    assert.match(partial.notice!, /Insufficient data/);
    const failed = feesFromCore({ fast: undefined, medium: undefined, slow: undefined, minimum: undefined }, 'connection refused');
    assert.equal(failed.fast, 1);
    assert.match(failed.notice!, /connection refused/);
  });
});

describe('rejectReasonInWords', () => {
  it("says Core's common reasons plainly", () => {
    assert.match(rejectReasonInWords('min relay fee not met, 100 < 141'), /minimum/);
    assert.match(rejectReasonInWords('bad-txns-inputs-missingorspent'), /already spent/);
    assert.match(rejectReasonInWords('mandatory-script-verify-flag-failed (Signature must be zero)'), /signature/);
    assert.match(rejectReasonInWords('something new'), /does not accept/);
  });
});

describe('PendingPsbtStore', () => {
  let folder: string;
  const record = (txid: string, created: number): PendingPsbt => ({
    txid,
    psbt: 'cHNidP8=',
    created,
    inputs: [`${'a'.repeat(64)}:0`],
    fee: 141,
    vsize: 141,
    signed_by: [],
    complete: false,
    hex: null,
    labels: {},
    replaces: null,
  });
  beforeEach(async () => {
    folder = await mkdtemp(path.join(tmpdir(), 'psbt-store-'));
  });
  afterEach(async () => {
    await rm(folder, { recursive: true, force: true });
  });

  it('keeps records across instances, oldest first; removing the last one removes the file', async () => {
    const store = new JsonFileStore();
    const one = new PendingPsbtStore(store, folder, 'w');
    await one.put(record('b'.repeat(64), 20));
    await one.put(record('c'.repeat(64), 10));
    const two = new PendingPsbtStore(new JsonFileStore(), folder, 'w');
    assert.deepEqual(
      (await two.list()).map((r) => r.created),
      [10, 20],
    );
    assert.equal((await two.get('b'.repeat(64)))?.fee, 141);
    assert.equal(await two.get('constructor'), undefined);
    assert.deepEqual(await two.remove(['f'.repeat(64)]), []);
    assert.equal((await two.remove(['b'.repeat(64), 'c'.repeat(64)])).length, 2);
    assert.equal(existsSync(one.file), false);
    assert.equal(one.file, path.join(folder, 'psbts', 'w.json'));
  });

  it('a damaged file is DATA_FILE_CORRUPT and is not overwritten', async () => {
    const pending = new PendingPsbtStore(new JsonFileStore(), folder, 'w');
    await pending.put(record('b'.repeat(64), 1));
    const damaged = JSON.stringify({ version: 1, psbts: { x: { txid: 'nope' } } });
    await writeFile(pending.file, damaged);
    await assert.rejects(pending.list(), (e: unknown) => isSpecterError(e, 'DATA_FILE_CORRUPT'));
    await assert.rejects(pending.put(record('c'.repeat(64), 2)), (e: unknown) => isSpecterError(e, 'DATA_FILE_CORRUPT'));
    assert.equal(await readFile(pending.file, 'utf8'), damaged);
  });
});
