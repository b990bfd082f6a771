/**
 * The BIP-380 descriptor checksum (Bitcoin Core's `DescriptorChecksum`, src/script/descriptor.cpp).
 *
 * Why not bitcoinerlab's, which we used before: its checksum is a 40-line function that the package
 * does not export on its own, and loading @bitcoinerlab/descriptors for it costs 190–750 ms (it
 * pulls in miniscript, bitcoinjs and a pure-JS curve). Every wallet load formats descriptors, so a
 * start with 100 wallets paid that before its first page. The cross-check of descriptors against
 * bitcoinerlab (descriptor.ts) is unchanged, and test/unit/bitcoin/descriptor-checksum.test.ts
 * compares this function with bitcoinerlab's on every descriptor form we write and with the
 * BIP-380 vectors.
 *
 * The 40-bit polymod state is kept in two numbers (high 8 bits, low 32 bits) rather than a BigInt:
 * BigInt arithmetic made one checksum cost ~0.1 ms, and a parse makes four.
 */

const INPUT_CHARSET = '0123456789()[],\'/*abcdefgh@:$%{}IJKLMNOPQRSTUVWXYZ&+-.;<=>?!^_|~ijklmnopqrstuvwxyzABCDEFGH`#"\\ ';
const CHECKSUM_CHARSET = 'qpzry9x8gf2tvdw0s3jn54khce6mua7l';
/** Core's five generator constants, split into their high 8 and low 32 bits. */
const GEN_HI = [0xf5, 0xa9, 0x1b, 0x37, 0x64];
const GEN_LO = [0xdee51989, 0xfdca3312, 0xab10e32d, 0x06b1677a, 0x4d626ffd];

/** INPUT_CHARSET position of each character code below 128; -1 where descriptors allow none. */
const POSITION = new Int8Array(128).fill(-1);
for (let i = 0; i < INPUT_CHARSET.length; i++) POSITION[INPUT_CHARSET.charCodeAt(i)] = i;

let hi = 0;
let lo = 1;

/** One step of Core's PolyMod over the state (hi, lo). */
function polymod(value: number): void {
  const top = hi >>> 3;
  hi = ((hi & 7) << 5) | (lo >>> 27);
  lo = ((lo << 5) ^ value) >>> 0;
  for (let i = 0; i < 5; i++) {
    if ((top >>> i) & 1) {
      hi ^= GEN_HI[i]!;
      lo = (lo ^ GEN_LO[i]!) >>> 0;
    }
  }
}

/** Recent results: one parse checksums the same body up to three times (input, canonical, multipath). */
const recent = new Map<string, string>();

/** The 8-character checksum of a descriptor body (without `#`); '' when the body holds a character descriptors do not allow. */
export function descriptorChecksum(body: string): string {
  let sum = recent.get(body);
  if (sum === undefined) {
    sum = compute(body);
    if (recent.size >= 1_024) recent.delete(recent.keys().next().value!);
    recent.set(body, sum);
  }
  return sum;
}

function compute(body: string): string {
  hi = 0;
  lo = 1;
  let cls = 0;
  let clsCount = 0;
  for (let c = 0; c < body.length; c++) {
    const code = body.charCodeAt(c);
    const pos = code < 128 ? POSITION[code]! : -1;
    if (pos === -1) return '';
    polymod(pos & 31);
    cls = cls * 3 + (pos >> 5);
    if (++clsCount === 3) {
      polymod(cls);
      cls = 0;
      clsCount = 0;
    }
  }
  if (clsCount > 0) polymod(cls);
  for (let j = 0; j < 8; j++) polymod(0);
  lo = (lo ^ 1) >>> 0;
  const value = hi * 2 ** 32 + lo;
  let out = '';
  for (let j = 0; j < 8; j++) out += CHECKSUM_CHARSET[Math.floor(value / 2 ** (5 * (7 - j))) % 32];
  return out;
}
