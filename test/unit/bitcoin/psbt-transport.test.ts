import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { UR, UREncoder } from '@ngraveio/bc-ur';
import { Psbt } from 'bitcoinjs-lib';
import { parsePsbtInput, psbtFileName } from '../../../src/bitcoin/psbt-transport.js';
import { urFramesForPsbt } from '../../../src/bitcoin/ur-psbt.js';
import { throwsSpecterError } from '../../helpers/assertions.js';
import { multisigPsbt, psbtV2, signedTransaction } from './psbt-fixture.js';

const psbt = multisigPsbt();
const base64 = Buffer.from(psbt).toString('base64');
const hex = Buffer.from(psbt).toString('hex');

function assertPsbt(input: string | Uint8Array, expected: Uint8Array = psbt, version: 0 | 2 = 0): void {
  const parsed = parsePsbtInput(input);
  assert.equal(parsed.kind, 'psbt');
  if (parsed.kind !== 'psbt') return;
  assert.equal(parsed.version, version);
  assert.deepEqual(Buffer.from(parsed.psbt), Buffer.from(expected));
}

describe('parsePsbtInput: the forms a PSBT comes back in', () => {
  it('reads base64, as pasted (surrounding blanks) and as a text file wrapped at 64 columns', () => {
    assert.ok(base64.startsWith('cHNidP8'));
    assertPsbt(base64);
    assertPsbt(`  ${base64}\n`);
    const wrapped = `${base64.match(/.{1,64}/g)?.join('\r\n')}\n`;
    assertPsbt(wrapped);
    assertPsbt(new TextEncoder().encode(wrapped));
  });

  it('reads hex, in either case', () => {
    assert.ok(hex.startsWith('70736274ff'));
    assertPsbt(hex);
    assertPsbt(hex.toUpperCase());
  });

  it('reads a binary .psbt file', () => {
    assertPsbt(psbt);
    assertPsbt(Buffer.from(psbt));
  });

  it('reads a single-part UR and the parts of a multi-part UR, one a line', () => {
    const small = multisigPsbt({ inputs: 1, recipients: 1 });
    const single = urFramesForPsbt(small, { maxFragmentLength: 2000 });
    assert.equal(single.singlePart, true);
    assertPsbt(single.frames[0] as string, small);
    assertPsbt((single.frames[0] as string).toLowerCase(), small);
    const multi = urFramesForPsbt(psbt, { maxFragmentLength: 100 });
    assert.equal(multi.singlePart, false);
    assertPsbt(multi.frames.join('\n'));
  });

  it('says how far an incomplete multi-part UR got', () => {
    const multi = urFramesForPsbt(psbt, { maxFragmentLength: 100 });
    throwsSpecterError(() => parsePsbtInput(multi.frames.slice(0, 2).join(' ')), 'PSBT_CORRUPT', /incomplete: 2 parts give \d+ %/);
  });

  it('reads a final transaction in hex (and a binary one), as kind final', () => {
    const tx = signedTransaction(psbt);
    for (const input of [Buffer.from(tx).toString('hex'), `${Buffer.from(tx).toString('hex').toUpperCase()}\n`, tx]) {
      const parsed = parsePsbtInput(input);
      assert.equal(parsed.kind, 'final');
      if (parsed.kind === 'final') assert.deepEqual(Buffer.from(parsed.tx), Buffer.from(tx));
    }
  });

  it('refuses a transaction without any signature: an unsigned transaction is not a signed copy', () => {
    const unsigned = Psbt.fromBuffer(Buffer.from(psbt)).data.getTransaction();
    throwsSpecterError(
      () => parsePsbtInput(Buffer.from(unsigned).toString('hex')),
      'PSBT_CORRUPT',
      /^Hex of a transaction that carries no signatures/,
    );
    throwsSpecterError(() => parsePsbtInput(unsigned), 'PSBT_CORRUPT', /^A binary file of a transaction that carries no signatures/);
  });

  it('reports version 2 without failing, in every form, and checks its shape', () => {
    const v2 = psbtV2({ outputs: 2 });
    assertPsbt(v2, v2, 2);
    assertPsbt(Buffer.from(v2).toString('base64'), v2, 2);
    assertPsbt(Buffer.from(v2).toString('hex'), v2, 2);
    assert.throws(() => Psbt.fromBuffer(Buffer.from(v2)), 'bitcoinjs-lib itself refuses v2: the version is read by us');
    throwsSpecterError(() => parsePsbtInput(v2.slice(0, -1)), 'PSBT_CORRUPT', /version 2\) that is malformed: the data ends/);
    throwsSpecterError(() => parsePsbtInput(psbtV2({ extra: Uint8Array.of(1, 2) })), 'PSBT_CORRUPT', /version 2\) that is malformed: 2 bytes follow/);
  });
});

describe('parsePsbtInput: what is not a PSBT says what it is', () => {
  const cases: Array<[string, string | Uint8Array, RegExp]> = [
    ['empty', '  \n', /empty/],
    ['base64 of something else', Buffer.from('hello world, not a psbt').toString('base64'), /^Base64 that is not a PSBT/],
    ['hex of something else', 'deadbeef', /^Hex that is neither a PSBT nor a transaction/],
    ['odd hex', `${hex.slice(0, -1)}`, /odd number of digits/],
    ['a PSBT cut short (base64)', Buffer.from(psbt.slice(0, 60)).toString('base64'), /^Base64 of a PSBT .*(does not parse|damaged)/],
    ['a PSBT cut short (hex)', hex.slice(0, 200), /^Hex of a PSBT .*(does not parse|damaged)/],
    ['a binary PSBT cut short', psbt.slice(0, psbt.length - 10), /^A binary PSBT file .*(does not parse|damaged)/],
    ['a PSBT of version 1', Uint8Array.of(0x70, 0x73, 0x62, 0x74, 0xff, 1, 0xfb, 4, 1, 0, 0, 0, 0), /of version 1; only versions 0 and 2/],
    ['random binary', Uint8Array.of(0x00, 0xff, 0xfe, 0x80, 0x81, 0x00), /^A binary file that is not a PSBT/],
    ['prose', 'please sign this!', /^Text that is neither base64, hex nor a UR/],
    [
      'a UR of another type',
      UREncoder.encodeSinglePart(new UR(Buffer.from('a2011a37b5eed40281d90134a20102', 'hex'), 'crypto-account')),
      /UR of type crypto-account, expected crypto-psbt/,
    ],
    ['a damaged UR', 'ur:crypto-psbt/hdosjojkidjyzmadaenyaoaeaeaeaohdvsknclrejnpebncnrnmn', /UR part that is damaged/],
  ];
  for (const [name, input, pattern] of cases) {
    it(name, () => throwsSpecterError(() => parsePsbtInput(input), 'PSBT_CORRUPT', pattern));
  }

  it('gives a hint to export again', () => {
    throwsSpecterError(() => parsePsbtInput('deadbeef'), 'PSBT_CORRUPT', /Export the PSBT from the device again/);
  });
});

describe('psbtFileName', () => {
  const txid = 'a'.repeat(64);
  it("uses Specter Desktop's names", () => {
    assert.equal(psbtFileName('binary', txid), `binary_${txid}.psbt`);
    assert.equal(psbtFileName('base64', txid), `base64_${txid}.psbt`);
  });
  it('refuses anything but a txid (it goes into headers and paths)', () => {
    throwsSpecterError(() => psbtFileName('binary', '../../etc/passwd'), 'VALIDATION', /txid/);
    throwsSpecterError(() => psbtFileName('binary', 'A'.repeat(64)), 'VALIDATION', /txid/);
  });
});
