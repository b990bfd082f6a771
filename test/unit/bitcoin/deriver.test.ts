import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { BIP32Factory } from 'bip32';
import { toBase58Check, toBech32 } from 'bitcoinjs-lib/src/address';
import * as tiny from 'tiny-secp256k1';
import { encodeBase58Address, encodeSegwitAddress } from '../../../src/bitcoin/address-encoding.js';
import { childPublicKey } from '../../../src/bitcoin/derive-core.js';
import { buildPlan } from '../../../src/bitcoin/plan.js';
import { nativeEcc } from '../../../src/bitcoin/secp.js';
import {
  MAX_SYNC_COUNT,
  createAddressDeriver,
  multisigDescriptor,
  parseDescriptor,
  shutdownDerivationWorkers,
  singleSigDescriptor,
} from '../../../src/bitcoin/index.js';
import { isSpecterError } from '../../../src/errors/index.js';
import { BIP84, MULTISIG_KEY_TEXTS } from './fixtures.js';

const WSH = multisigDescriptor({ threshold: 2, keys: MULTISIG_KEY_TEXTS });
const WPKH = singleSigDescriptor('wpkh', `[73c5da0a/84h/0h/0h]${BIP84.xpub}`);

describe('derivation engine', () => {
  it('CKDpub in derive-core equals bip32.derive() with both backends', () => {
    const native = BIP32Factory(nativeEcc(createRequire(import.meta.url)('secp256k1/bindings')));
    const wasm = BIP32Factory(tiny);
    const plan = buildPlan(parseDescriptor(WSH), 1);
    MULTISIG_KEY_TEXTS.forEach((text, k) => {
      const xpub = text.slice(text.indexOf(']') + 1);
      const nBranch = native.fromBase58(xpub).derive(1);
      const wBranch = wasm.fromBase58(xpub).derive(1);
      for (const i of [0, 1, 2, 19, 20, 999, 0x7fffffff]) {
        const ours = Buffer.from(childPublicKey(plan.keys[k]!, i)).toString('hex');
        assert.equal(ours, Buffer.from(nBranch.derive(i).publicKey).toString('hex'));
        assert.equal(ours, Buffer.from(wBranch.derive(i).publicKey).toString('hex'));
      }
    });
  });

  it('the native ecc adapter agrees with tiny-secp256k1 on random inputs', () => {
    const ecc = nativeEcc(createRequire(import.meta.url)('secp256k1/bindings'));
    for (let i = 0; i < 50; i++) {
      const d = randomBytes(32);
      const t = randomBytes(32);
      const h = randomBytes(32);
      const hex = (x: Uint8Array | null | undefined) => (x ? Buffer.from(x).toString('hex') : x);
      assert.equal(hex(ecc.pointFromScalar(d)), hex(tiny.pointFromScalar(d)));
      const p = tiny.pointFromScalar(d)!;
      assert.equal(hex(ecc.pointAddScalar(p, t)), hex(tiny.pointAddScalar(p, t)));
      assert.equal(hex(ecc.pointAddScalar(p, t, false)), hex(tiny.pointAddScalar(p, t, false)));
      assert.equal(hex(ecc.privateAdd(d, t)), hex(tiny.privateAdd(d, t)));
      assert.equal(hex(ecc.sign(h, d)), hex(tiny.sign(h, d)));
      assert.equal(hex(ecc.sign(h, d, t)), hex(tiny.sign(h, d, t)));
      assert.equal(ecc.verify(h, p, tiny.sign(h, d)), true);
      assert.equal(hex(ecc.xOnlyPointAddTweak!(p.subarray(1), t)?.xOnlyPubkey), hex(tiny.xOnlyPointAddTweak(p.subarray(1), t)?.xOnlyPubkey));
      assert.equal(ecc.xOnlyPointAddTweak!(p.subarray(1), t)?.parity, tiny.xOnlyPointAddTweak(p.subarray(1), t)?.parity);
    }
    assert.equal(ecc.isPoint(Buffer.from('030000000000000000000000000000000000000000000000000000000000000005', 'hex')), false);
    assert.equal(ecc.isPoint(Buffer.alloc(33, 2)), tiny.isPoint(Buffer.alloc(33, 2)));
    assert.equal(ecc.isPrivate(Buffer.alloc(32)), false);
  });

  it('address encoders equal bitcoinjs-lib on random programs', () => {
    for (let i = 0; i < 200; i++) {
      const h20 = randomBytes(20);
      const h32 = randomBytes(32);
      const hrp = ['bc', 'tb', 'bcrt'][i % 3]!;
      assert.equal(encodeSegwitAddress(hrp, 0, h20), toBech32(h20, 0, hrp));
      assert.equal(encodeSegwitAddress(hrp, 0, h32), toBech32(h32, 0, hrp));
      assert.equal(encodeSegwitAddress(hrp, 1, h32), toBech32(h32, 1, hrp));
      const version = [0x00, 0x05, 0x6f, 0xc4][i % 4]!;
      assert.equal(encodeBase58Address(version, h20), toBase58Check(h20, version));
    }
    assert.equal(encodeBase58Address(0, Buffer.alloc(20)), toBase58Check(Buffer.alloc(20), 0));
  });
});

describe('AddressDeriver', () => {
  it('derives the same addresses sync, async and through the worker pool', async () => {
    for (const descriptor of [WSH, WPKH]) {
      const sync = createAddressDeriver(descriptor).deriveSync(0, 100, 2500);
      const pooled = await createAddressDeriver(descriptor, { parallelThreshold: 1 }).derive(0, 100, 2500);
      const small = await createAddressDeriver(descriptor).derive(0, 100, 10);
      assert.deepEqual(pooled, sync);
      assert.deepEqual(small, sync.slice(0, 10));
    }
    const change = await createAddressDeriver(WSH, { parallelThreshold: 1 }).derive(1, 0, 3);
    assert.deepEqual(change, createAddressDeriver(WSH).deriveSync(1, 0, 3));
    await shutdownDerivationWorkers();
  });

  it('validates its arguments', async () => {
    const d = createAddressDeriver(WPKH);
    const bad = (fn: () => unknown, key: string, re: RegExp) =>
      assert.throws(fn, (e: unknown) => isSpecterError(e, key as never) && re.test(e.message));
    bad(() => d.deriveSync(2 as 0, 0, 1), 'VALIDATION', /change must be 0 \(receive\) or 1 \(change\)/);
    bad(() => d.deriveSync(0, -1, 1), 'VALIDATION', /from must be a non-negative integer/);
    bad(() => d.deriveSync(0, 0, 1.5), 'VALIDATION', /count must be/);
    bad(() => d.deriveSync(0, 0x7fffffff, 2), 'VALIDATION', /2147483647/);
    bad(() => d.deriveSync(0, 0, MAX_SYNC_COUNT + 1), 'LIMIT_EXCEEDED', /at most 5000 addresses per call/);
    await assert.rejects(d.derive(0, -5, 1), (e: unknown) => isSpecterError(e, 'VALIDATION'));
    assert.deepEqual(d.deriveSync(0, 5, 0), []);
  });

  it('workers do not keep the process alive, and the WASM fallback gives the same addresses', () => {
    const index = fileURLToPath(new URL('../../../src/bitcoin/index.js', import.meta.url));
    const script = `
      const b = await import(${JSON.stringify(index)});
      const d = b.createAddressDeriver(${JSON.stringify(WSH)}, { parallelThreshold: 1 });
      const a = await d.derive(0, 0, 400);
      console.log(JSON.stringify({ backend: b.secpBackendName, last: a[399], first: a[0] }));`;
    const expected = createAddressDeriver(WSH).deriveSync(0, 0, 400);
    const { SPECTER_SECP256K1: _ignored, ...baseEnv } = process.env;
    for (const env of [{}, { SPECTER_SECP256K1: 'wasm' }]) {
      // The pool's 30 s idle timer and the workers must not hold the child process open: a child
      // they held would be killed at the timeout (set below those 30 s) and execFileSync would throw.
      const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { env: { ...baseEnv, ...env }, timeout: 20_000 });
      const result = JSON.parse(out.toString());
      assert.equal(result.backend, 'SPECTER_SECP256K1' in env ? 'wasm' : 'native');
      assert.equal(result.first, expected[0]);
      assert.equal(result.last, expected[399]);
    }
  });
});
