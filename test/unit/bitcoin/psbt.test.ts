/**
 * PSBT and address helpers (src/bitcoin/psbt.ts): an address checked against the wallet's network
 * (another network's address named as such), what an upload is (PSBT in base64, hex or bytes,
 * version 2, raw transaction, garbage), and the unsigned id that signing never changes.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { psbtV2 } from './psbt-fixture.js';
import { isSpecterError } from '../../../src/errors/index.js';
import {
  addressScript,
  isLegacyScript,
  Psbt,
  psbtShape,
  readSigned,
  scriptAddress,
  Transaction,
  transactionShape,
  unsignedTxid,
} from '../../../src/bitcoin/psbt.js';

const REGTEST_WPKH = 'bcrt1qw508d6qejxtdg4y5r3zarvary0c5xw7kygt080';
const MAIN_WPKH = 'bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4';
const MAIN_TR = 'bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0';

/** A one-input, one-output version 0 PSBT (no signatures). */
function samplePsbt(sequence = 0xfffffffd): Psbt {
  const psbt = new Psbt();
  psbt.addInput({ hash: 'aa'.repeat(32), index: 1, sequence, witnessUtxo: { script: addressScript(REGTEST_WPKH, 'regtest'), value: 50_000n } });
  psbt.addOutput({ script: addressScript(REGTEST_WPKH, 'regtest'), value: 40_000n });
  return psbt;
}

describe('addressScript', () => {
  it("gives the output script of the wallet network's address, and back", () => {
    const script = addressScript(REGTEST_WPKH, 'regtest');
    assert.equal(Buffer.from(script).toString('hex'), '0014751e76e8199196d454941c45d1b3a323f1433bd6');
    assert.equal(scriptAddress(script, 'regtest'), REGTEST_WPKH);
    assert.equal(isLegacyScript(script), false);
    assert.equal(isLegacyScript(addressScript('mipcBbFg9gMiCh81Kj8tqqdgoZub1ZJRfn', 'regtest')), true);
    assert.equal(addressScript(MAIN_TR, 'main').length, 34, 'taproot (bech32m) addresses too');
  });

  it('names another network, or says it is no address at all', () => {
    assert.throws(
      () => addressScript(MAIN_WPKH, 'regtest', 2),
      (e: unknown) => isSpecterError(e, 'PSBT_WRONG_NETWORK') && /mainnet/.test(e.message) && e.details.index === 2,
    );
    assert.throws(
      () => addressScript(REGTEST_WPKH, 'main'),
      (e: unknown) => isSpecterError(e, 'PSBT_WRONG_NETWORK') && /regtest/.test(e.message),
    );
    for (const bad of ['', 'hello', `${REGTEST_WPKH.slice(0, -1)}q`, 'bcrt1qqqqqqq']) {
      assert.throws(
        () => addressScript(bad, 'regtest'),
        (e: unknown) => isSpecterError(e, 'PSBT_INVALID_ADDRESS'),
        bad,
      );
    }
  });
});

describe('readSigned', () => {
  it('reads a PSBT as base64, hex, bytes and base64 bytes (a .psbt file holding text)', () => {
    const psbt = samplePsbt();
    const id = unsignedTxid(psbtShape(psbt));
    for (const input of [
      psbt.toBase64(),
      psbt.toHex(),
      ` ${psbt.toBase64().replace(/(.{20})/g, '$1\n')} `,
      psbt.toBuffer(),
      Buffer.from(psbt.toBase64()),
    ]) {
      const read = readSigned(input);
      assert.equal(read.kind, 'psbt');
      assert.equal(read.kind === 'psbt' && unsignedTxid(psbtShape(read.psbt)), id);
    }
  });

  it('a version 2 PSBT is handed on as base64 for Core to read', () => {
    // PSBT v2 (BIP-370): globals with version 2 and the counts, no unsigned tx; one input, one output.
    const v2 = Buffer.from(psbtV2());
    const read = readSigned(v2.toString('base64'));
    assert.deepEqual(read, { kind: 'psbt-other', base64: v2.toString('base64') });
  });

  it('a raw transaction has the same unsigned id as its PSBT, whatever its signatures', () => {
    const psbt = samplePsbt();
    const tx = Transaction.fromBuffer(psbt.data.globalMap.unsignedTx.toBuffer());
    tx.setWitness(0, [Buffer.alloc(71, 1), Buffer.alloc(33, 2)]);
    const read = readSigned(tx.toHex());
    assert.equal(read.kind, 'tx');
    assert.equal(read.kind === 'tx' && unsignedTxid(transactionShape(read.tx)), unsignedTxid(psbtShape(psbt)));
    assert.notEqual(unsignedTxid(psbtShape(samplePsbt(0xffffffff))), unsignedTxid(psbtShape(psbt)), 'the sequence counts');
  });

  it('anything else is PSBT_CORRUPT', () => {
    for (const bad of ['', 'not base64 !!', 'deadbeef', 'cHNidP8BAHECAAAAAf//////', Buffer.from('70736274ff00', 'hex')]) {
      assert.throws(
        () => readSigned(bad),
        (e: unknown) => isSpecterError(e, 'PSBT_CORRUPT'),
        String(bad),
      );
    }
  });
});
