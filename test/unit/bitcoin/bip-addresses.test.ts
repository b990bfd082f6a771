/** BIP-84, BIP-49 and BIP-86 first addresses from the "abandon … about" account keys. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { convertExtendedKey, createAddressDeriver, singleSigDescriptor } from '../../../src/bitcoin/index.js';
import { BIP49, BIP84, BIP86 } from './fixtures.js';

describe('BIP account vectors ("abandon … about")', () => {
  it('BIP-84 (wpkh): receive 0, 1 and change 0', () => {
    const d = createAddressDeriver(singleSigDescriptor('wpkh', `[73c5da0a/84h/0h/0h]${BIP84.zpub}`));
    assert.deepEqual(d.deriveSync(0, 0, 2), BIP84.receive);
    assert.deepEqual(d.deriveSync(1, 0, 1), BIP84.change);
  });

  it("BIP-49 (sh-wpkh): mainnet receive 0 and the BIP's testnet vector", () => {
    const d = createAddressDeriver(singleSigDescriptor('sh-wpkh', `[73c5da0a/49h/0h/0h]${BIP49.ypub}`));
    assert.deepEqual(d.deriveSync(0, 0, 1), BIP49.receive);
    assert.equal(convertExtendedKey(BIP49.xpub, 'ypub'), BIP49.ypub);
    const t = createAddressDeriver(singleSigDescriptor('sh-wpkh', `[73c5da0a/49h/1h/0h]${BIP49.testnet.upub}`));
    assert.equal(t.address(0, 0), BIP49.testnet.receive);
  });

  it('BIP-86 (tr): receive 0, 1 and change 0', () => {
    const d = createAddressDeriver(singleSigDescriptor('tr', `[73c5da0a/86h/0h/0h]${BIP86.xpub}`));
    assert.deepEqual(d.deriveSync(0, 0, 2), BIP86.receive);
    assert.deepEqual(d.deriveSync(1, 0, 1), BIP86.change);
  });
});
