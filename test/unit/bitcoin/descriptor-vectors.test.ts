/**
 * BIP-380/381/382/383/385/386/389 test vectors that fit the supported descriptor types.
 * Valid vectors must give the listed scripts; invalid ones must be rejected. Vectors using private
 * keys (WIF/xprv) are outside a watch-only coordinator: they must be rejected as private keys.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createAddressDeriver, descriptorChecksum, parseDescriptor, splitChecksum } from '../../../src/bitcoin/index.js';
import { isSpecterError } from '../../../src/errors/index.js';

const scripts = (descriptor: string, n = 1) => {
  const d = createAddressDeriver(descriptor);
  return Array.from({ length: n }, (_, i) => d.scriptPubKey(0, i).toString('hex'));
};

const rejected = (descriptor: string, key?: string | RegExp) =>
  assert.throws(
    () => parseDescriptor(descriptor),
    (err: unknown) => {
      assert.ok(isSpecterError(err), `expected a SpecterError for ${descriptor}, got ${String(err)}`);
      if (typeof key === 'string') assert.equal(err.key, key, err.message);
      if (key instanceof RegExp) assert.match(err.message, key);
      return true;
    },
  );

const PK = '03a34b99f22c790c4e36b2b3c2c35a36db06226e41c692fc82b8b56ac1c540c5bd';
const PK_UNCOMPRESSED =
  '04a34b99f22c790c4e36b2b3c2c35a36db06226e41c692fc82b8b56ac1c540c5bd5b8dec5235a0fa8722476c7709c02559e3aa73aa03918ba2d492eea75abea235';
const PK2 = '0260b2003c386519fc9eadf2b5cf124dd8eea4c4e68d5e154050a9346ea98ce600';
const XPUB_ERA = 'xpub6ERApfZwUNrhLCkDtcHTcxd75RbzS1ed54G1LkBUHQVHQKqhMkhgbmJbZRkrgZw4koxb5JaHWkY4ALHY2grBGRjaDMzQLcgJvLJuZZvRcEL';
const XPUB_68N = 'xpub68NZiKmJWnxxS6aaHmn81bvJeTESw724CRDs6HbuccFQN9Ku14VQrADWgqbhhTHBaohPX4CjNLf9fq9MYo6oDaPPLPxSb7gwQN3ih19Zm4Y';
const XPUB_661 = 'xpub661MyMwAqRbcFW31YEwpkMuc5THy2PSt5bDMsktWQcFF8syAmRUapSCGu8ED9W6oDMSgv6Zz8idoc4a6mr8BDzTJY47LJhkJ8UB7WEGuduB';
const XPRV_ROOT = 'xprv9s21ZrQH143K31xYSDQpPDxsXRTUcvj2iNHm5NUtrGiGG5e2DtALGdso3pGz6ssrdK4PFmM8NSpSBHNqPqm55Qn3LqFtT2emdEXVYsCzC2U';
const WIF = 'L4rK1yDtCWekvXuE6oXD9jCYfFNV2cWRpVuPLBcCU2z8TrisoyY1';
const KEYS16 = [
  '03669b8afcec803a0d323e9a17f3ea8e68e8abe5a278020a929adbec52421adbd0',
  '0260b2003c386519fc9eadf2b5cf124dd8eea4c4e68d5e154050a9346ea98ce600',
  '0362a74e399c39ed5593852a30147f2959b56bb827dfa3e60e464b02ccf87dc5e8',
  '0261345b53de74a4d721ef877c255429961b7e43714171ac06168d7e08c542a8b8',
  '02da72e8b46901a65d4374fe6315538d8f368557dda3a1dcf9ea903f3afe7314c8',
  '0318c82dd0b53fd3a932d16e0ba9e278fcc937c582d5781be626ff16e201f72286',
  '0297ccef1ef99f9d73dec9ad37476ddb232f1238aff877af19e72ba04493361009',
  '02e502cfd5c3f972fe9a3e2a18827820638f96b6f347e54d63deb839011fd5765d',
  '03e687710f0e3ebe81c1037074da939d409c0025f17eb86adb9427d28f0f7ae0e9',
  '02c04d3a5274952acdbc76987f3184b346a483d43be40874624b29e3692c1df5af',
  '02ed06e0f418b5b43a7ec01d1d7d27290fa15f75771cb69b642a51471c29c84acd',
  '036d46073cbb9ffee90473f3da429abc8de7f8751199da44485682a989a4bebb24',
  '02f5d1ff7c9029a80a4e36b9a5497027ef7f3e73384a4a94fbfe7c4e9164eec8bc',
  '02e41deffd1b7cce11cde209a781adcffdabd1b91c0ba0375857a2bfd9302419f3',
  '02d76625f7956a7fc505ab02556c23ee72d832f1bac391bcd2d3abce5710a13d06',
  '0399eb0a5487515802dc14544cf10b3666623762fbed2ec38a3975716e2c29c232',
];

describe('BIP-380 checksums', () => {
  it('accepts a valid checksum and no checksum', () => {
    assert.deepEqual(splitChecksum('raw(deadbeef)#89f8spxm'), { body: 'raw(deadbeef)', checksum: '89f8spxm' });
    assert.deepEqual(splitChecksum('raw(deadbeef)'), { body: 'raw(deadbeef)', checksum: null });
    assert.equal(descriptorChecksum('raw(deadbeef)'), '89f8spxm');
  });
  it('rejects missing, too long, too short and wrong checksums, and bad characters', () => {
    for (const bad of ['raw(deadbeef)#', 'raw(deadbeef)#89f8spxmx', 'raw(deadbeef)#89f8spx', 'raw(deedbeef)##9f8spxm']) {
      assert.throws(
        () => splitChecksum(bad),
        (e: unknown) => isSpecterError(e, 'DESCRIPTOR_CHECKSUM') && /malformed/.test(e.message),
        bad,
      );
    }
    assert.throws(
      () => splitChecksum('raw(deedbeef)#89f8spxm'),
      (e: unknown) => isSpecterError(e, 'DESCRIPTOR_CHECKSUM') && /does not match/.test(e.message),
    );
    assert.throws(
      () => splitChecksum('raw(Ü)#00000000'),
      (e: unknown) => isSpecterError(e, 'DESCRIPTOR_INVALID') && /"Ü"/.test(e.message),
    );
  });
  it('rejects raw() and addr() (BIP-385) as unsupported wallet descriptors', () => {
    rejected('raw(deadbeef)#89f8spxm', /raw\(\) as a wallet descriptor is not supported/);
    rejected('addr(3PUNyaW7M55oKWJ3kDukwk9bsKvryra15j)', /addr\(\)/);
    rejected('sh(raw(deadbeef))', 'DESCRIPTOR_INVALID');
    rejected('wsh(raw(deadbeef))', 'DESCRIPTOR_INVALID');
    rejected('sh(addr(3PUNyaW7M55oKWJ3kDukwk9bsKvryra15j))', 'DESCRIPTOR_INVALID');
    rejected('wsh(addr(3PUNyaW7M55oKWJ3kDukwk9bsKvryra15j))', 'DESCRIPTOR_INVALID');
  });
});

describe('BIP-380 key expressions (inside pkh())', () => {
  it('accepts the public-key forms', () => {
    for (const key of [
      PK2,
      PK_UNCOMPRESSED,
      `[deadbeef/0h/0h/0h]${PK2}`,
      `[deadbeef/0'/0'/0']${PK2}`,
      `[deadbeef/0'/0h/0']${PK2}`,
      XPUB_ERA,
      `[deadbeef/0h/1h/2h]${XPUB_ERA}`,
      `[deadbeef/0h/1h/2h]${XPUB_ERA}/3/4/5`,
      `[deadbeef/0h/1h/2h]${XPUB_ERA}/3/4/5/*`,
    ]) {
      const parsed = parseDescriptor(`pkh(${key})`);
      assert.equal(parsed.scriptType, 'pkh');
    }
    assert.equal(parseDescriptor(`pkh([deadbeef/0'/0h/0']${PK2})`).keys[0]!.originPath, 'm/0h/0h/0h');
  });
  it('rejects hardened steps after an xpub and private keys (watch-only), with the reason', () => {
    rejected(`pkh(${XPUB_ERA}/3h/4h/5h/*)`, /hardened step "3h" after the extended key/);
    rejected(`pkh(${XPUB_ERA}/3h/4h/5h/*h)`, /hardened step/);
    rejected(`pkh(${WIF})`, /private key \(WIF\)/);
    rejected(`pkh(${XPRV_ROOT})`, /PRIVATE/);
    rejected(`pkh([deadbeef/0h/1h/2h]${XPRV_ROOT}/3/4/5/*)`, /PRIVATE/);
  });
  it('rejects the invalid key expressions', () => {
    rejected(`pkh([deadbeef/0h/0h/0h/*]${PK2})`, 'KEY_ORIGIN_INVALID');
    rejected(`pkh([deadbeef/0h/0h/0h/]${PK2})`, 'KEY_ORIGIN_INVALID');
    rejected(`pkh([deadbef/0h/0h/0h]${PK2})`, 'KEY_ORIGIN_INVALID');
    rejected(`pkh([deadbeeef/0h/0h/0h]${PK2})`, 'KEY_ORIGIN_INVALID');
    rejected(`pkh([deadbeef/0f/0f/0f]${PK2})`, 'KEY_ORIGIN_INVALID');
    rejected(`pkh([deadbeef/0H/0H/0H]${PK2})`, 'KEY_ORIGIN_INVALID');
    rejected(`pkh([deadbeef/-0/-0/-0]${PK2})`, 'KEY_ORIGIN_INVALID');
    rejected(`pkh(${WIF}/0)`, 'KEY_INVALID');
    rejected(`pkh(${WIF}/*)`, 'KEY_INVALID');
    rejected(`pkh(${XPUB_661}/2147483648)`, /not a derivation step/);
    rejected(`pkh(${XPUB_661}/1aa)`, /not a derivation step/);
    rejected(`pkh([aaaaaaaa][aaaaaaaa]${XPUB_661}/0)`, 'KEY_ORIGIN_INVALID');
    rejected(`pkh(aaaaaaaa]${XPUB_661}/0)`, 'KEY_ORIGIN_INVALID');
    rejected(`pkh([gaaaaaaa]${XPUB_661}/0)`, 'KEY_ORIGIN_INVALID');
    rejected('pkh([deadbeef])', /not followed by a key/);
  });
});

describe('BIP-381 pkh() and sh()', () => {
  it('gives the listed scripts', () => {
    assert.deepEqual(scripts(`pkh([deadbeef/1/2'/3/4']${PK})`), ['76a9149a1c78a507689f6f54b847ad1cef1e614ee23f1e88ac']);
    assert.deepEqual(scripts(`pkh([deadbeef/1/2h/3/4h]${PK})`), ['76a9149a1c78a507689f6f54b847ad1cef1e614ee23f1e88ac']);
    assert.deepEqual(scripts(`pkh(${PK_UNCOMPRESSED})`), ['76a914b5bd079c4d57cc7fc28ecf8213a6b791625b818388ac']);
    assert.deepEqual(
      scripts(
        'pkh([bd16bee5/2147483647h]xpub69H7F5dQzmVd3vPuLKtcXJziMEQByuDidnX3YdwgtNsecY5HRGtAAQC5mXTt4dsv9RzyjgDjAQs9VGVV6ydYCHnprc9vvaA5YtqWyL6hyds/0)',
      ),
      ['76a914ebdc90806a9c4356c1c88e42216611e1cb4c1c1788ac'],
    );
  });
  it('rejects the invalid ones', () => {
    rejected(`pk(pk(${PK}))`, 'DESCRIPTOR_INVALID');
    rejected(`pkh(pk(${PK}))`, /takes a key, not a script/);
    rejected(`sh(${PK})`, /not a key/);
    rejected(`sh(sh(pkh(${PK})))`, /top level/);
  });
});

describe('BIP-382 wpkh() and wsh()', () => {
  it('gives the listed scripts', () => {
    assert.deepEqual(scripts(`wpkh(${PK})`), ['00149a1c78a507689f6f54b847ad1cef1e614ee23f1e']);
    assert.deepEqual(
      scripts(
        "wpkh([ffffffff/13']xpub69H7F5d8KSRgmmdJg2KhpAK8SR3DjMwAdkxj3ZuxV27CprR9LgpeyGmXUbC6wb7ERfvrnKZjXoUmmDznezpbZb7ap6r1D3tgFxHmwMkQTPH/1/2/*)",
        3,
      ),
      [
        '0014326b2249e3a25d5dc60935f044ee835d090ba859',
        '0014af0bd98abc2f2cae66e36896a39ffe2d32984fb7',
        '00141fa798efd1cbf95cebf912c031b8a4a6e9fb9f27',
      ],
    );
  });
  it('rejects the invalid ones', () => {
    rejected(`wpkh(${PK_UNCOMPRESSED})`, /uncompressed/);
    rejected(`sh(wpkh(${PK_UNCOMPRESSED}))`, /uncompressed/);
    rejected('wpkh(5KYZdUEo39z3FPrtuX2QbbwGnNP5zTd7yyr2SC1j299sBCnWjss)', /private key/);
    rejected(`wsh(pk(${PK_UNCOMPRESSED}))`, 'DESCRIPTOR_INVALID');
    rejected(`wsh(wpkh(${PK}))`, /wpkh\(\) cannot be nested inside wsh\(\)/);
    rejected(`wsh(wsh(pkh(${PK})))`, /wsh\(\) cannot be nested inside wsh\(\)/);
    rejected(`sh(wsh(wsh(pkh(${PK}))))`, /wsh\(\) cannot be nested inside wsh\(\)/);
    rejected(`wpkh(wsh(pkh(${PK})))`, /takes a key/);
    rejected(`wsh(${PK})`, /not a key/);
  });
});

describe('BIP-383 multi() and sortedmulti()', () => {
  it('sh(wsh(multi(16 keys))) gives the listed script', () => {
    assert.deepEqual(scripts(`sh(wsh(multi(16,${KEYS16.join(',')})))`), ['a9147fc63e13dc25e8a95a3cee3d9a714ac3afd96f1e87']);
  });
  it('sortedmulti with two extended keys (wrapped in sh) hashes the listed scripts', async () => {
    const { createHash } = await import('node:crypto');
    const expected = [
      '5221025d5fc65ebb8d44a5274b53bac21ff8307fec2334a32df05553459f8b1f7fe1b62102fbd47cc8034098f0e6a94c6aeee8528abf0a2153a5d8e46d325b7284c046784652ae',
      '52210264fd4d1f5dea8ded94c61e9641309349b62f27fbffe807291f664e286bfbe6472103f4ece6dfccfa37b211eb3d0af4d0c61dba9ef698622dc17eecdf764beeb005a652ae',
      '5221022ccabda84c30bad578b13c89eb3b9544ce149787e5b538175b1d1ba259cbb83321024d902e1a2fc7a8755ab5b694c575fce742c48d9ff192e63df5193e4c7afe1f9c52ae',
    ].map((s) => {
      const h = createHash('ripemd160')
        .update(createHash('sha256').update(Buffer.from(s, 'hex')).digest())
        .digest('hex');
      return `a914${h}87`;
    });
    assert.deepEqual(scripts(`sh(sortedmulti(2,${XPUB_ERA}/*,${XPUB_68N}/0/0/*))`, 3), expected);
  });
  it('rejects more than 15 keys in P2SH, bad thresholds and bare multi', () => {
    rejected(`sh(multi(16,${KEYS16.join(',')}))`, /16 keys is too many for legacy P2SH multisig: the maximum is 15/);
    rejected(`wsh(multi(a,${PK},${PK2}))`, /threshold "a" is not a number/);
    rejected(`wsh(multi(0,${PK},${PK2}))`, /threshold is 0/);
    rejected(`wsh(multi(3,${PK},${PK2}))`, /threshold 3 is larger than the number of keys \(2\)/);
    rejected(`multi(1,${PK},${PK2})`, /Bare multi\(\) is not supported/);
  });
});

describe('BIP-386 tr()', () => {
  it('key-path tr() with an x-only key gives the listed script', () => {
    assert.deepEqual(scripts('tr(a34b99f22c790c4e36b2b3c2c35a36db06226e41c692fc82b8b56ac1c540c5bd)'), [
      '512077aab6e066f8a7419c5ab714c12c67d25007ed55a43cadcacb4d7a970a093f11',
    ]);
    assert.deepEqual(scripts(`tr(${PK})`), ['512077aab6e066f8a7419c5ab714c12c67d25007ed55a43cadcacb4d7a970a093f11']);
  });
  it('rejects the invalid ones and script trees', () => {
    rejected(`tr(${PK_UNCOMPRESSED})`, /uncompressed/);
    rejected('tr(5KYZdUEo39z3FPrtuX2QbbwGnNP5zTd7yyr2SC1j299sBCnWjss)', /private key/);
    rejected('wsh(tr(a34b99f22c790c4e36b2b3c2c35a36db06226e41c692fc82b8b56ac1c540c5bd))', /top level/);
    rejected('sh(tr(a34b99f22c790c4e36b2b3c2c35a36db06226e41c692fc82b8b56ac1c540c5bd))', /top level/);
    rejected(`tr(a34b99f22c790c4e36b2b3c2c35a36db06226e41c692fc82b8b56ac1c540c5bd,pk(${PK2}))`, /script tree is not supported/);
  });
});

describe('BIP-389 multipath', () => {
  it('expands <1;3> into the two listed descriptors', () => {
    const p = parseDescriptor(
      'wpkh([ffffffff/13h]xpub69H7F5d8KSRgmmdJg2KhpAK8SR3DjMwAdkxj3ZuxV27CprR9LgpeyGmXUbC6wb7ERfvrnKZjXoUmmDznezpbZb7ap6r1D3tgFxHmwMkQTPH/<1;3>/2/*)',
    );
    assert.equal(p.pathCount, 2);
    assert.equal(p.changeMode, 'multipath');
    const body = (d: string | null) => d!.split('#')[0];
    assert.equal(
      body(p.receiveDescriptor),
      'wpkh([ffffffff/13h]xpub69H7F5d8KSRgmmdJg2KhpAK8SR3DjMwAdkxj3ZuxV27CprR9LgpeyGmXUbC6wb7ERfvrnKZjXoUmmDznezpbZb7ap6r1D3tgFxHmwMkQTPH/1/2/*)',
    );
    assert.equal(
      body(p.changeDescriptor),
      'wpkh([ffffffff/13h]xpub69H7F5d8KSRgmmdJg2KhpAK8SR3DjMwAdkxj3ZuxV27CprR9LgpeyGmXUbC6wb7ERfvrnKZjXoUmmDznezpbZb7ap6r1D3tgFxHmwMkQTPH/3/2/*)',
    );
    const d = createAddressDeriver(p);
    assert.equal(d.scriptPubKey(0, 0).toString('hex'), '0014326b2249e3a25d5dc60935f044ee835d090ba859');
  });
  it('handles tuples of three and mixed positions', () => {
    const p = parseDescriptor(
      `sh(multi(2,${XPUB_ERA}/<1;2;3>/0/*,${XPUB_68N}/0/*,xpub661MyMwAqRbcGDZQUKLqmWodYLcoBQnQH33yYkkF3jjxeLvY8qr2wWGEWkiKFaaQfJCoi3HeEq3Dc5DptfbCyjD38fNhSqtKc1UHaP4ba3t/0/0/<3;4;5>/*))`,
    );
    assert.equal(p.pathCount, 3);
    assert.equal(p.changeMode, 'none');
    assert.match(p.receiveDescriptor, /\/1\/0\/\*,xpub68N.*\/0\/\*,xpub661.*\/0\/0\/3\/\*\)\)#/);
    assert.equal(parseDescriptor(`pkh(${XPUB_661}/<0;1;2>)`).pathCount, 3);
  });
  it('rejects the invalid ones', () => {
    rejected(`pkh(${XPUB_661}/<0;1>/<2;3>)`, /only one multipath step/);
    rejected(`pkh([deadbeef/<0;1>]${XPUB_661}/0)`, 'KEY_ORIGIN_INVALID');
    rejected(`sh(multi(2,${XPUB_ERA}/<1;2;3>/0/*,${XPUB_68N}/0/*,${XPUB_661}/0/0/<3;4>/*))`, /different lengths/);
    rejected(`wpkh(${XPUB_661}/<>/*)`, /at least two values/);
    rejected(`wpkh(${XPUB_661}/0>/*)`, /must be written <a;b>/);
    rejected(`wpkh(${XPUB_661}/<0/*)`, /must be written <a;b>/);
    rejected(`wpkh(${XPUB_661}/<0;>/*)`, /at least two values/);
  });
});
