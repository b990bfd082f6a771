import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  combineDescriptors,
  convertExtendedKey,
  createAddressDeriver,
  descriptorChecksum,
  multisigDescriptor,
  parseDescriptor,
  singleSigDescriptor,
} from '../../../src/bitcoin/index.js';
import { apostropheOrigins } from '../../../src/bitcoin/bitcoinerlab.js';
import { bip32 } from '../../../src/bitcoin/bip32.js';
import { isSpecterError } from '../../../src/errors/index.js';
import { BIP84, MULTISIG_KEYS, MULTISIG_KEY_TEXTS, TPUB_84 } from './fixtures.js';

const rejects = (fn: () => unknown, key: string, pattern: RegExp) =>
  assert.throws(fn, (err: unknown) => {
    assert.ok(isSpecterError(err), `expected a SpecterError, got ${String(err)}`);
    assert.equal(err.key, key, err.message);
    assert.match(`${err.message} ${err.hint ?? ''}`, pattern);
    return true;
  });

const WSH = multisigDescriptor({ threshold: 2, keys: MULTISIG_KEY_TEXTS });

describe('builders and the parsed model', () => {
  it('builds a canonical 2-of-3 wsh(sortedmulti) with checksum', () => {
    const [a, b, c] = Object.values(MULTISIG_KEYS);
    assert.equal(
      WSH,
      `wsh(sortedmulti(2,[73c5da0a/48h/0h/0h/2h]${a.xpub}/<0;1>/*,[b8688df1/48h/0h/0h/2h]${b.xpub}/<0;1>/*,[28645006/48h/0h/0h/2h]${c.xpub}/<0;1>/*))#${descriptorChecksum(WSH.split('#')[0]!)}`,
    );
    const p = parseDescriptor(WSH);
    assert.equal(p.kind, 'multisig');
    assert.equal(p.scriptType, 'wsh');
    assert.equal(p.threshold, 2);
    assert.equal(p.policy, '2 of 3');
    assert.equal(p.network, 'main');
    assert.equal(p.sorted, true);
    assert.deepEqual(
      p.keys.map((k) => k.fingerprint),
      ['73c5da0a', 'b8688df1', '28645006'],
    );
    assert.deepEqual(
      p.keys.map((k) => k.originPath),
      ['m/48h/0h/0h/2h', 'm/48h/0h/0h/2h', 'm/48h/0h/0h/2h'],
    );
    assert.equal(p.keys[0]!.derivation, '/<0;1>/*');
    assert.match(p.receiveDescriptor, /\/0\/\*\)\)#[a-z0-9]{8}$/);
    assert.match(p.changeDescriptor!, /\/1\/\*\)\)#[a-z0-9]{8}$/);
    assert.ok(Object.isFrozen(p) && Object.isFrozen(p.keys[0]));
  });

  it('builds single-sig descriptors of every type from SLIP-132 or field keys', () => {
    const wpkh = singleSigDescriptor('wpkh', `[73c5da0a/84'/0'/0']${BIP84.zpub}`);
    assert.match(wpkh, /^wpkh\(\[73c5da0a\/84h\/0h\/0h\]xpub6CatWdiZ.*\/<0;1>\/\*\)#/);
    const same = singleSigDescriptor('wpkh', { fingerprint: '73C5DA0A', derivation: "m/84'/0'/0'", xpub: BIP84.xpub });
    assert.equal(same, wpkh);
    assert.equal(createAddressDeriver(wpkh).address(0, 0), BIP84.receive[0]);
    assert.match(singleSigDescriptor('pkh', BIP84.xpub), /^pkh\(xpub/);
    assert.match(singleSigDescriptor('sh-wpkh', BIP84.xpub), /^sh\(wpkh\(xpub/);
    assert.match(singleSigDescriptor('tr', BIP84.xpub), /^tr\(xpub/);
    assert.match(
      multisigDescriptor({ threshold: 1, keys: MULTISIG_KEY_TEXTS.slice(0, 2), scriptType: 'sh-wsh', sorted: false }),
      /^sh\(wsh\(multi\(1,/,
    );
    assert.match(multisigDescriptor({ threshold: 2, keys: MULTISIG_KEY_TEXTS, scriptType: 'sh' }), /^sh\(sortedmulti\(2,/);
  });

  it('refuses keys whose SLIP-132 prefix contradicts the script type', () => {
    rejects(
      () => singleSigDescriptor('pkh', BIP84.zpub),
      'KEY_INVALID',
      /exported for Segwit \(P2WPKH\) single-key wallets, not for Legacy \(P2PKH\) single-key wallets/,
    );
    rejects(
      () => multisigDescriptor({ threshold: 1, keys: [BIP84.zpub] }),
      'KEY_INVALID',
      /key is for Segwit \(P2WPKH\) single-key wallets, not multisig.*m\/48h/,
    );
    const ypub = convertExtendedKey(MULTISIG_KEYS.abandon.xpub, 'Ypub');
    rejects(
      () => multisigDescriptor({ threshold: 1, keys: [ypub], scriptType: 'wsh' }),
      'KEY_INVALID',
      /exported for Nested Segwit \(P2SH-P2WSH\) multisig wallets/,
    );
  });

  it("canonicalises h/' origins, {0,1} and adds the checksum", () => {
    const apostrophes = WSH.split('#')[0]!.replaceAll('h/', "'/").replaceAll('h]', "']").replaceAll('<0;1>', '{0,1}');
    assert.ok(apostrophes.includes("48'/0'/0'/2']") && apostrophes.includes('{0,1}'));
    assert.equal(parseDescriptor(apostrophes).descriptor, WSH);
  });

  it('reads /0/* receive descriptors and pairs them with /1/*', () => {
    const p = parseDescriptor(WSH);
    const receive = parseDescriptor(p.receiveDescriptor);
    assert.equal(receive.changeMode, 'inferred');
    assert.equal(receive.changeDescriptor, p.changeDescriptor);
    assert.equal(receive.multipathDescriptor, WSH);
    const d1 = createAddressDeriver(receive);
    const d2 = createAddressDeriver(WSH);
    assert.deepEqual(d1.deriveSync(1, 0, 5), d2.deriveSync(1, 0, 5));
    assert.equal(combineDescriptors(p.receiveDescriptor, p.changeDescriptor!).descriptor, WSH);
    rejects(() => combineDescriptors(p.receiveDescriptor, p.receiveDescriptor), 'DESCRIPTOR_INVALID', /\/1\/\*/);
    const noChange = parseDescriptor(`wpkh(${BIP84.xpub}/*)`);
    assert.equal(noChange.changeMode, 'none');
    rejects(() => createAddressDeriver(noChange).address(1, 0), 'DESCRIPTOR_INVALID', /no change branch/);
  });

  it('hands bitcoinerlab apostrophe origins (its h-origin PSBT bug)', () => {
    assert.equal(apostropheOrigins('wpkh([73c5da0a/84h/0h/0H]xpub/0/*)'), "wpkh([73c5da0a/84'/0'/0']xpub/0/*)");
  });

  it('takes signet and regtest from the options (keys cannot tell them apart)', () => {
    const tpubDesc = singleSigDescriptor('wpkh', `[73c5da0a/84h/1h/0h]${TPUB_84}`);
    assert.equal(parseDescriptor(tpubDesc).network, 'test');
    assert.match(createAddressDeriver(tpubDesc).address(0, 0), /^tb1q/);
    assert.match(createAddressDeriver(tpubDesc, { network: 'signet' }).address(0, 0), /^tb1q/);
    assert.match(createAddressDeriver(tpubDesc, { network: 'regtest' }).address(0, 0), /^bcrt1q/);
    assert.equal(createAddressDeriver(tpubDesc).address(0, 0), 'tb1q6rz28mcfaxtmd6v789l9rrlrusdprr9pqcpvkl');
    rejects(() => parseDescriptor(tpubDesc, { network: 'main' }), 'KEY_NETWORK_MISMATCH', /testnet\/signet\/regtest key, but mainnet/);
  });
});

describe('invalid descriptors get a clear error', () => {
  it('bad checksum', () => {
    const flipped = WSH.slice(0, -1) + (WSH.endsWith('q') ? 'p' : 'q');
    rejects(() => parseDescriptor(flipped), 'DESCRIPTOR_CHECKSUM', /checksum does not match.*Copy it again/);
    const edited = WSH.replace('sortedmulti(2', 'sortedmulti(1');
    rejects(() => parseDescriptor(edited), 'DESCRIPTOR_CHECKSUM', /does not match/);
  });

  it('k > n', () => {
    rejects(
      () => multisigDescriptor({ threshold: 4, keys: MULTISIG_KEY_TEXTS }),
      'DESCRIPTOR_POLICY',
      /threshold 4 is larger than the number of keys \(3\).*between 1 and 3/,
    );
  });

  it('more than 15 keys in sh, more than 20 in wsh', () => {
    // n distinct xpubs: children of one account key.
    const root = bip32.fromBase58(MULTISIG_KEYS.abandon.xpub);
    const keys = (n: number) => Array.from({ length: n }, (_, i) => `${root.derive(i).toBase58()}/<0;1>/*`);
    const body16 = `sh(sortedmulti(2,${keys(16).join(',')}))`;
    rejects(() => parseDescriptor(body16), 'DESCRIPTOR_POLICY', /16 keys is too many for legacy P2SH multisig: the maximum is 15.*wsh\(\)/);
    assert.equal(parseDescriptor(`sh(sortedmulti(2,${keys(15).join(',')}))`).policy, '2 of 15');
    assert.equal(parseDescriptor(`wsh(sortedmulti(2,${keys(20).join(',')}))`).policy, '2 of 20');
    rejects(() => parseDescriptor(`wsh(sortedmulti(2,${keys(21).join(',')}))`), 'DESCRIPTOR_POLICY', /21 keys is too many.*maximum is 20/);
  });

  it('duplicate keys (the same extended key twice, whatever the path)', () => {
    const [a] = MULTISIG_KEY_TEXTS;
    rejects(() => parseDescriptor(`wsh(sortedmulti(1,${a}/0/*,${a}/1/*))`), 'DESCRIPTOR_POLICY', /Key 2 uses the same key as key 1/);
    rejects(
      () => multisigDescriptor({ threshold: 2, keys: [MULTISIG_KEY_TEXTS[0]!, MULTISIG_KEY_TEXTS[1]!, MULTISIG_KEY_TEXTS[0]!] }),
      'DESCRIPTOR_POLICY',
      /Key 3 uses the same key as key 1/,
    );
    // The same xpub written as Zpub is still the same key.
    rejects(
      () => multisigDescriptor({ threshold: 1, keys: [MULTISIG_KEYS.abandon.xpub, convertExtendedKey(MULTISIG_KEYS.abandon.xpub, 'Zpub')] }),
      'DESCRIPTOR_POLICY',
      /same key/,
    );
  });

  it('mixed networks', () => {
    rejects(
      () => multisigDescriptor({ threshold: 1, keys: [MULTISIG_KEY_TEXTS[0]!, TPUB_84] }),
      'KEY_NETWORK_MISMATCH',
      /mixes networks: key 1 is a mainnet key, key 2 a testnet\/signet\/regtest key/,
    );
  });

  it('SLIP-132 keys inside a descriptor, with the xpub to use instead', () => {
    rejects(() => parseDescriptor(`wpkh(${BIP84.zpub}/0/*)`), 'KEY_INVALID', new RegExp(`not zpub.*${BIP84.xpub}`));
  });

  it('unsupported and malformed text', () => {
    rejects(() => parseDescriptor(''), 'DESCRIPTOR_INVALID', /empty/);
    rejects(() => parseDescriptor('hello'), 'DESCRIPTOR_INVALID', /must start with a script function/);
    rejects(() => parseDescriptor(`wpkh(${BIP84.xpub}/0/*`), 'DESCRIPTOR_INVALID', /not closed/);
    rejects(() => parseDescriptor(`wpkh(${BIP84.xpub}/0/*) `.replace(')', ') x')), 'DESCRIPTOR_INVALID', /whitespace/);
    rejects(() => parseDescriptor(`combo(${BIP84.xpub})`), 'DESCRIPTOR_INVALID', /combo\(\).*not supported.*Supported forms/);
    rejects(() => parseDescriptor(`wsh(sortedmulti(2))`), 'DESCRIPTOR_POLICY', /at least one key/);
  });
});
