import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  HARDENED,
  convertExtendedKey,
  formatDerivationPath,
  parseDerivationPath,
  parseExtendedKey,
  parseKeyOrigin,
  parseKeyWithOrigin,
  secpBackendName,
  slip132PrefixFor,
} from '../../../src/bitcoin/index.js';
import bs58check from 'bs58check';
import { bip32 } from '../../../src/bitcoin/bip32.js';
import { NETWORKS } from '../../../src/bitcoin/networks.js';
import { isSpecterError } from '../../../src/errors/index.js';
import { throwsSpecterError } from '../../helpers/assertions.js';
import { BIP49, BIP84, MULTISIG_KEYS, TPUB_84 } from './fixtures.js';

const rejects = throwsSpecterError;

describe('secp256k1 backend', () => {
  it('loads the native libsecp256k1 binding (not the elliptic fallback)', () => {
    assert.equal(secpBackendName, process.env.SPECTER_SECP256K1 ? 'wasm' : 'native');
  });
});

describe('extended keys and SLIP-132', () => {
  it('canonicalises zpub/ypub to xpub and reports the implied script type', () => {
    const z = parseExtendedKey(BIP84.zpub);
    assert.equal(z.xpub, BIP84.xpub);
    assert.equal(z.prefix, 'zpub');
    assert.equal(z.scriptType, 'wpkh');
    assert.equal(z.network, 'main');
    assert.equal(z.depth, 3);
    const y = parseExtendedKey(BIP49.ypub);
    assert.equal(y.xpub, BIP49.xpub);
    assert.equal(y.scriptType, 'sh-wpkh');
    const x = parseExtendedKey(BIP84.xpub);
    assert.equal(x.scriptType, null);
    assert.equal(x.original, BIP84.xpub);
  });

  it("reads depth, child number, fingerprints, key and chain code from the bytes as bip32 does; bip32's node on demand", () => {
    for (const text of [BIP84.xpub, BIP84.zpub, TPUB_84, MULTISIG_KEYS.legal.xpub]) {
      const k = parseExtendedKey(text);
      const node = bip32.fromBase58(k.xpub, k.network === 'main' ? NETWORKS.main : NETWORKS.test);
      assert.deepEqual(
        [k.depth, k.childNumber, k.parentFingerprint, k.fingerprint, Buffer.from(k.publicKey), Buffer.from(k.chainCode)],
        [
          node.depth,
          node.index,
          node.parentFingerprint.toString(16).padStart(8, '0'),
          Buffer.from(node.fingerprint).toString('hex'),
          Buffer.from(node.publicKey),
          Buffer.from(node.chainCode),
        ],
      );
      assert.equal(k.node.toBase58(), node.toBase58());
    }
  });

  it('refuses a key that is not a point on the curve, and a depth-0 key with a parent', () => {
    const bytes = Buffer.from(bs58check.decode(TPUB_84));
    const offCurve = Buffer.from(bytes);
    offCurve.fill(0xff, 46, 78);
    rejects(() => parseExtendedKey(bs58check.encode(offCurve)), 'KEY_INVALID', /not a point on the curve/);
    const badPrefix = Buffer.from(bytes);
    badPrefix[45] = 0x04;
    rejects(() => parseExtendedKey(bs58check.encode(badPrefix)), 'KEY_INVALID', /not a point on the curve/);
    const orphan = Buffer.from(bytes);
    orphan[4] = 0;
    rejects(() => parseExtendedKey(bs58check.encode(orphan)), 'KEY_INVALID', /depth-0 key with a parent/);
  });

  it('converts between all prefixes of a network family and back', () => {
    for (const prefix of ['xpub', 'ypub', 'zpub', 'Ypub', 'Zpub'] as const) {
      const converted = convertExtendedKey(MULTISIG_KEYS.abandon.xpub, prefix);
      assert.ok(converted.startsWith(prefix), converted);
      assert.equal(parseExtendedKey(converted).xpub, MULTISIG_KEYS.abandon.xpub);
    }
    assert.equal(convertExtendedKey(BIP84.xpub, 'zpub'), BIP84.zpub);
    assert.equal(convertExtendedKey(BIP49.xpub, 'ypub'), BIP49.ypub);
    assert.equal(parseExtendedKey(convertExtendedKey(MULTISIG_KEYS.legal.xpub, 'Zpub')).scriptType, 'wsh');
    assert.equal(parseExtendedKey(convertExtendedKey(MULTISIG_KEYS.legal.xpub, 'Ypub')).scriptType, 'sh-wsh');
    for (const prefix of ['tpub', 'upub', 'vpub', 'Upub', 'Vpub'] as const) {
      const converted = convertExtendedKey(TPUB_84, prefix);
      assert.ok(converted.startsWith(prefix), converted);
      const parsed = parseExtendedKey(converted);
      assert.equal(parsed.xpub, TPUB_84);
      assert.equal(parsed.network, 'test');
    }
    assert.equal(parseExtendedKey(BIP49.testnet.upub).scriptType, 'sh-wpkh');
    rejects(() => convertExtendedKey(TPUB_84, 'zpub'), 'KEY_NETWORK_MISMATCH', /tpub, upub, vpub/);
    assert.equal(slip132PrefixFor('wsh', 'main'), 'Zpub');
    assert.equal(slip132PrefixFor('tr', 'test'), 'tpub');
  });

  it('rejects garbage with a message that says what was expected', () => {
    rejects(() => parseExtendedKey('hello'), 'KEY_INVALID', /base58check.*Expected an extended public key: xpub\/tpub/);
    rejects(() => parseExtendedKey(''), 'KEY_INVALID', /empty/);
    const typo = BIP84.xpub.slice(0, 50) + (BIP84.xpub[50] === 'a' ? 'b' : 'a') + BIP84.xpub.slice(51);
    rejects(() => parseExtendedKey(typo), 'KEY_INVALID', /not valid base58check/);
    rejects(() => parseExtendedKey(BIP84.xpub.slice(0, -3)), 'KEY_INVALID', /base58check|bytes/);
    // A bitcoin address is base58check but not a key.
    rejects(() => parseExtendedKey('37VucYSaXLCAsxYyAPfbSi9eh4iEcbShgf'), 'KEY_INVALID', /decodes to 21 bytes/);
    rejects(() => parseExtendedKey('x', { where: 'line 3' }), 'KEY_INVALID', /^line 3: /);
  });

  it('refuses private keys without echoing them', () => {
    const xprv = 'xprv9s21ZrQH143K31xYSDQpPDxsXRTUcvj2iNHm5NUtrGiGG5e2DtALGdso3pGz6ssrdK4PFmM8NSpSBHNqPqm55Qn3LqFtT2emdEXVYsCzC2U';
    assert.throws(
      () => parseExtendedKey(xprv),
      (err: unknown) => {
        assert.ok(isSpecterError(err, 'KEY_INVALID'));
        assert.match(err.message, /PRIVATE/);
        assert.ok(!err.message.includes(xprv.slice(4, 20)), 'the private key must not appear in the message');
        return true;
      },
    );
  });

  it('detects the wrong network', () => {
    rejects(() => parseExtendedKey(TPUB_84, { network: 'main' }), 'KEY_NETWORK_MISMATCH', /testnet\/signet\/regtest key, but mainnet/);
    rejects(() => parseExtendedKey(BIP84.zpub, { network: 'regtest' }), 'KEY_NETWORK_MISMATCH', /mainnet key/);
    assert.equal(parseExtendedKey(TPUB_84, { network: 'signet' }).network, 'test');
  });
});

describe('key origins and paths', () => {
  it("reads h and ' and writes h", () => {
    const o = parseKeyOrigin("[73C5DA0A/84'/0h/0']");
    assert.equal(o.fingerprint, '73c5da0a');
    assert.deepEqual(o.path, [84 + HARDENED, HARDENED, HARDENED]);
    assert.equal(formatDerivationPath(o.path), 'm/84h/0h/0h');
    assert.deepEqual(parseDerivationPath("m/48'/1'/0'/2'"), parseDerivationPath('48h/1h/0h/2h'));
    assert.deepEqual(parseDerivationPath('m'), []);
  });

  it('rejects malformed origins with the reason', () => {
    rejects(() => parseKeyOrigin('[deadbef/0h]'), 'KEY_ORIGIN_INVALID', /exactly 8 hex/);
    rejects(() => parseKeyOrigin('[deadbeeef/0h]'), 'KEY_ORIGIN_INVALID', /exactly 8 hex/);
    rejects(() => parseKeyOrigin('[gaaaaaaa]'), 'KEY_ORIGIN_INVALID', /exactly 8 hex/);
    rejects(() => parseKeyOrigin('[deadbeef/0H]'), 'KEY_ORIGIN_INVALID', /uses H as hardened marker/);
    rejects(() => parseKeyOrigin('[deadbeef/0f]'), 'KEY_ORIGIN_INVALID', /not a path step/);
    rejects(() => parseKeyOrigin('[deadbeef/-0]'), 'KEY_ORIGIN_INVALID', /not a path step/);
    rejects(() => parseKeyOrigin('[deadbeef/0h/]'), 'KEY_ORIGIN_INVALID', /empty path step/);
    rejects(() => parseKeyOrigin('[deadbeef/2147483648]'), 'KEY_ORIGIN_INVALID', /out of range/);
  });

  it('parses pasted keys with origin and branch suffix', () => {
    const k = parseKeyWithOrigin(`[73c5da0a/84'/0'/0']${BIP84.zpub}/0/*`);
    assert.equal(k.fingerprint, '73c5da0a');
    assert.equal(k.originPath, 'm/84h/0h/0h');
    assert.equal(k.key.xpub, BIP84.xpub);
    assert.equal(k.key.scriptType, 'wpkh');
    assert.equal(parseKeyWithOrigin(`${BIP84.xpub}/<0;1>/*`).origin, null);
    rejects(() => parseKeyWithOrigin(`${BIP84.xpub}/5/*`), 'KEY_INVALID', /unexpected derivation "\/5"/);
  });
});
