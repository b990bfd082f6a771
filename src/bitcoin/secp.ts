/**
 * The secp256k1 backend behind every key operation.
 *
 * Address derivation is dominated by one elliptic-curve step per key and index (adding IL·G to the
 * branch public key). Native libsecp256k1 (`secp256k1` package) does that step about 4× faster than
 * the WASM build in `tiny-secp256k1`, so it is preferred. Its install script is skipped by npm 11,
 * but the prebuilt binding in `node_modules/secp256k1/prebuilds` still loads through
 * `node-gyp-build`. We require `secp256k1/bindings` directly: the package's main entry silently falls
 * back to pure-JS `elliptic` (≈ 10× slower), and we would rather fall back to tiny-secp256k1 and say
 * so in `secpBackend`.
 *
 * `SPECTER_SECP256K1=wasm` forces the fallback (used by tests to compare both backends).
 */
import { createRequire } from 'node:module';

/** The interface `bip32`'s BIP32Factory needs (structurally the same as its TinySecp256k1Interface). */
export interface EccInterface {
  isPoint(p: Uint8Array): boolean;
  isPrivate(d: Uint8Array): boolean;
  pointFromScalar(d: Uint8Array, compressed?: boolean): Uint8Array | null;
  pointAddScalar(p: Uint8Array, tweak: Uint8Array, compressed?: boolean): Uint8Array | null;
  privateAdd(d: Uint8Array, tweak: Uint8Array): Uint8Array | null;
  sign(h: Uint8Array, d: Uint8Array, e?: Uint8Array): Uint8Array;
  verify(h: Uint8Array, Q: Uint8Array, signature: Uint8Array, strict?: boolean): boolean;
  xOnlyPointAddTweak?(p: Uint8Array, tweak: Uint8Array): { parity: 1 | 0; xOnlyPubkey: Uint8Array } | null;
  privateNegate?(d: Uint8Array): Uint8Array;
}

/** What the derivation hot path needs, implemented by both backends. */
export interface SecpBackend {
  /** `native` (libsecp256k1 via N-API) or `wasm` (tiny-secp256k1). */
  readonly name: 'native' | 'wasm';
  readonly ecc: EccInterface;
  /**
   * P + t·G as a 33-byte compressed point, or null when t ≥ n or the sum is infinity (BIP-32 then
   * says: skip to the next index). P may be compressed or uncompressed; uncompressed input saves
   * the square root of decompression, so hot loops cache the uncompressed parent.
   */
  tweakAdd(p: Uint8Array, t: Uint8Array): Uint8Array | null;
  /** 65-byte uncompressed form of a valid point. */
  uncompressed(p: Uint8Array): Uint8Array;
}

/** The subset of the native binding's API we call (it ships no type declarations for this path). */
interface NativeSecp256k1 {
  privateKeyVerify(d: Uint8Array): boolean;
  privateKeyNegate(d: Uint8Array): Uint8Array;
  privateKeyTweakAdd(d: Uint8Array, t: Uint8Array): Uint8Array;
  publicKeyVerify(p: Uint8Array): boolean;
  publicKeyCreate(d: Uint8Array, compressed?: boolean): Uint8Array;
  publicKeyConvert(p: Uint8Array, compressed?: boolean): Uint8Array;
  publicKeyTweakAdd(p: Uint8Array, t: Uint8Array, compressed?: boolean): Uint8Array;
  signatureNormalize(sig: Uint8Array): Uint8Array;
  ecdsaSign(h: Uint8Array, d: Uint8Array, options?: { data?: Uint8Array }): { signature: Uint8Array; recid: number };
  ecdsaVerify(sig: Uint8Array, h: Uint8Array, p: Uint8Array): boolean;
}

/** Null instead of a throw: the tiny-secp256k1 contract bip32 relies on. */
function orNull<T>(fn: () => T): T | null {
  try {
    return fn();
  } catch {
    return null;
  }
}

/** Lift an x-only key to the even-y compressed point (BIP-340 lift_x). */
function liftX(x: Uint8Array): Uint8Array {
  const p = new Uint8Array(33);
  p[0] = 0x02;
  p.set(x, 1);
  return p;
}

/** Map bip32's TinySecp256k1Interface onto the native binding. The native calls mutate their
 *  first argument for private-key tweaks, so those get a copy. */
export function nativeEcc(s: NativeSecp256k1): EccInterface {
  return {
    isPoint: (p) => {
      if (p.length === 32) return s.publicKeyVerify(liftX(p));
      return (p.length === 33 || p.length === 65) && s.publicKeyVerify(p);
    },
    isPrivate: (d) => d.length === 32 && s.privateKeyVerify(d),
    pointFromScalar: (d, compressed = true) => orNull(() => s.publicKeyCreate(d, compressed)),
    pointAddScalar: (p, t, compressed = true) => orNull(() => s.publicKeyTweakAdd(p, t, compressed)),
    privateAdd: (d, t) => orNull(() => s.privateKeyTweakAdd(Uint8Array.from(d), t)),
    privateNegate: (d) => s.privateKeyNegate(Uint8Array.from(d)),
    sign: (h, d, e) => s.ecdsaSign(h, d, e ? { data: e } : {}).signature,
    verify: (h, q, sig, strict = false) => {
      // libsecp256k1 only accepts low-S; tiny-secp256k1 normalises unless `strict`, so do the same.
      const candidate = strict ? sig : s.signatureNormalize(Uint8Array.from(sig));
      return orNull(() => s.ecdsaVerify(candidate, h, q)) ?? false;
    },
    xOnlyPointAddTweak: (p, t) => {
      const q = orNull(() => s.publicKeyTweakAdd(liftX(p), t, true));
      return q ? { parity: q[0] === 0x03 ? 1 : 0, xOnlyPubkey: q.subarray(1) } : null;
    },
  };
}

function loadNative(): NativeSecp256k1 | null {
  if (/^(wasm|tiny)/i.test(process.env.SPECTER_SECP256K1 ?? '')) return null;
  try {
    return createRequire(import.meta.url)('secp256k1/bindings') as NativeSecp256k1;
  } catch {
    return null;
  }
}

async function loadBackend(): Promise<SecpBackend> {
  const native = loadNative();
  if (native) {
    return {
      name: 'native',
      ecc: nativeEcc(native),
      // Direct try/catch: this runs once per key and address, a closure per call is measurable.
      tweakAdd: (p, t) => {
        try {
          return native.publicKeyTweakAdd(p, t, true);
        } catch {
          return null;
        }
      },
      uncompressed: (p) => native.publicKeyConvert(p, false),
    };
  }
  const tiny = await import('tiny-secp256k1');
  return {
    name: 'wasm',
    ecc: tiny,
    tweakAdd: (p, t) => orNull(() => tiny.pointAddScalar(p, t, true)),
    uncompressed: (p) => tiny.pointCompress(p, false),
  };
}

/** Loaded once per thread (the main thread and each derivation worker). */
export const secpBackend: SecpBackend = await loadBackend();
