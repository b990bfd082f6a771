/**
 * The PSBT container itself (BIP-174 / BIP-370): the magic, the key-value maps, the version.
 * bitcoinjs-lib (through bip174) reads only version 0, but signed copies coming back from
 * devices or from Bitcoin Core ≥ 30 may be version 2, so the version is read here from the global
 * map and a v2 PSBT is checked for its shape (every map present and terminated, nothing after
 * the last one) instead of being refused.
 */
import { Psbt } from 'bitcoinjs-lib/src/psbt';
import { SpecterError } from '../errors/index.js';

/** `psbt` followed by 0xff: every serialized PSBT starts with these five bytes. */
export const PSBT_MAGIC = Uint8Array.of(0x70, 0x73, 0x62, 0x74, 0xff);

const GLOBAL_UNSIGNED_TX = 0x00;
const GLOBAL_INPUT_COUNT = 0x04;
const GLOBAL_OUTPUT_COUNT = 0x05;
const GLOBAL_VERSION = 0xfb;

/** The error for anything given as a PSBT that is not one; the message says what was recognised. */
export function psbtCorrupt(message: string): SpecterError {
  return new SpecterError('PSBT_CORRUPT', message, {
    hint: 'Export the PSBT from the device again (a .psbt file, base64 text or the whole QR animation) and give it unchanged.',
  });
}

export function hasPsbtMagic(bytes: Uint8Array): boolean {
  return bytes.length >= PSBT_MAGIC.length && PSBT_MAGIC.every((b, i) => bytes[i] === b);
}

/** A reader over the bytes that throws a plain Error on truncation; the caller words the SpecterError. */
class Cursor {
  offset = 0;
  constructor(readonly bytes: Uint8Array) {}

  get done(): boolean {
    return this.offset >= this.bytes.length;
  }

  compactSize(): number {
    const first = this.take(1)[0] as number;
    if (first < 0xfd) return first;
    const width = first === 0xfd ? 2 : first === 0xfe ? 4 : 8;
    const raw = this.take(width);
    let value = 0;
    for (let i = width - 1; i >= 0; i--) value = value * 256 + (raw[i] as number);
    if (!Number.isSafeInteger(value)) throw new Error('a length is out of range');
    return value;
  }

  take(n: number): Uint8Array {
    if (this.offset + n > this.bytes.length) throw new Error('the data ends in the middle of a record');
    const out = this.bytes.subarray(this.offset, this.offset + n);
    this.offset += n;
    return out;
  }

  /** One key-value map up to its 0x00 separator, as key type (first key byte) → value of the first such key. */
  map(): Map<number, Uint8Array> {
    const entries = new Map<number, Uint8Array>();
    for (;;) {
      const keyLength = this.compactSize();
      if (keyLength === 0) return entries;
      const key = this.take(keyLength);
      const value = this.take(this.compactSize());
      const type = key[0] as number;
      if (!entries.has(type)) entries.set(type, value);
    }
  }
}

function uint32le(value: Uint8Array): number {
  if (value.length !== 4) throw new Error('PSBT_GLOBAL_VERSION is not 4 bytes');
  return new DataView(value.buffer, value.byteOffset, 4).getUint32(0, true);
}

function countFrom(value: Uint8Array | undefined, name: string): number {
  if (!value) throw new Error(`version 2 needs ${name}, which is missing`);
  const cursor = new Cursor(value);
  const count = cursor.compactSize();
  if (!cursor.done) throw new Error(`${name} is malformed`);
  return count;
}

/**
 * Checks that the bytes are a PSBT and returns its version (0 or 2). Version 0 is parsed by
 * bitcoinjs-lib in full; version 2 gets the structural check described above.
 * @throws SpecterError PSBT_CORRUPT naming what is wrong.
 */
export function checkPsbt(bytes: Uint8Array, what = 'a PSBT'): 0 | 2 {
  const label = what.charAt(0).toUpperCase() + what.slice(1);
  if (!hasPsbtMagic(bytes)) throw psbtCorrupt(`${label} that does not start with the PSBT magic bytes.`);
  let version: number;
  let global: Map<number, Uint8Array>;
  const cursor = new Cursor(bytes);
  cursor.offset = PSBT_MAGIC.length;
  try {
    global = cursor.map();
    const raw = global.get(GLOBAL_VERSION);
    version = raw ? uint32le(raw) : 0;
  } catch (err) {
    throw psbtCorrupt(`${label} whose global map is damaged: ${(err as Error).message}.`);
  }
  if (version === 0) {
    try {
      Psbt.fromBuffer(Buffer.from(bytes));
    } catch (err) {
      throw psbtCorrupt(`${label} (version 0) that does not parse: ${(err as Error).message}.`);
    }
    return 0;
  }
  if (version !== 2) {
    throw psbtCorrupt(`${label} of version ${version}; only versions 0 and 2 are supported.`);
  }
  try {
    if (global.has(GLOBAL_UNSIGNED_TX)) throw new Error('version 2 must not carry an unsigned transaction');
    const inputs = countFrom(global.get(GLOBAL_INPUT_COUNT), 'an input count');
    const outputs = countFrom(global.get(GLOBAL_OUTPUT_COUNT), 'an output count');
    if (inputs === 0) throw new Error('it has no inputs');
    for (let i = 0; i < inputs + outputs; i++) cursor.map();
    if (!cursor.done) throw new Error(`${bytes.length - cursor.offset} bytes follow the last map`);
  } catch (err) {
    throw psbtCorrupt(`${label} (version 2) that is malformed: ${(err as Error).message}.`);
  }
  return 2;
}
