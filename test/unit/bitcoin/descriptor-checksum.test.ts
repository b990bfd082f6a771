/**
 * Our BIP-380 checksum (descriptor-checksum.ts) against bitcoinerlab's, the implementation it
 * replaced on the load path: the same result for every descriptor form we write and for random
 * text over the whole descriptor character set; '' for a character descriptors do not allow.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bitcoinerlabChecksum } from '../../../src/bitcoin/bitcoinerlab.js';
import { descriptorChecksum } from '../../../src/bitcoin/descriptor-checksum.js';
import { multisigDescriptor, parseDescriptor, singleSigDescriptor } from '../../../src/bitcoin/index.js';
import { BIP84, MULTISIG_KEY_TEXTS } from './fixtures.js';

const CHARSET = '0123456789()[],\'/*abcdefgh@:$%{}IJKLMNOPQRSTUVWXYZ&+-.;<=>?!^_|~ijklmnopqrstuvwxyzABCDEFGH`#"\\ ';

test('equals bitcoinerlab on the descriptor forms we write', () => {
  const parsed = [
    parseDescriptor(multisigDescriptor({ threshold: 2, keys: MULTISIG_KEY_TEXTS })),
    parseDescriptor(multisigDescriptor({ threshold: 1, keys: MULTISIG_KEY_TEXTS, scriptType: 'sh-wsh', sorted: false })),
    parseDescriptor(singleSigDescriptor('wpkh', `[73c5da0a/84h/0h/0h]${BIP84.xpub}`)),
    parseDescriptor(singleSigDescriptor('tr', `[73c5da0a/86h/0h/0h]${BIP84.xpub}`)),
  ];
  let compared = 0;
  for (const d of parsed) {
    for (const text of [d.descriptor, d.receiveDescriptor, d.changeDescriptor, d.multipathDescriptor]) {
      if (!text) continue;
      const body = text.slice(0, text.indexOf('#'));
      assert.equal(descriptorChecksum(body), bitcoinerlabChecksum(body), body);
      assert.equal(text.slice(text.indexOf('#') + 1), bitcoinerlabChecksum(body));
      compared++;
    }
  }
  assert.equal(compared, 16);
  assert.equal(descriptorChecksum('raw(deadbeef)'), '89f8spxm');
});

test('equals bitcoinerlab on random text over the whole character set; an invalid character gives ""', () => {
  let seed = 42;
  const rand = (n: number) => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed % n;
  };
  for (let i = 0; i < 2_000; i++) {
    let text = '';
    const length = rand(300);
    for (let c = 0; c < length; c++) text += CHARSET[rand(CHARSET.length)];
    assert.equal(descriptorChecksum(text), bitcoinerlabChecksum(text), JSON.stringify(text));
  }
  assert.equal(descriptorChecksum('wpkh(é)'), '');
  assert.equal(bitcoinerlabChecksum('wpkh(é)'), '');
});
