import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { describe, it } from 'node:test';
import { UR, UREncoder } from '@ngraveio/bc-ur';
import { UrPsbtReader, fountainExtras, urFramesForPsbt } from '../../../src/bitcoin/ur-psbt.js';
import { throwsSpecterError } from '../../helpers/assertions.js';
import { fromHex, multisigPsbt } from './psbt-fixture.js';

const PSBT_MAGIC_BYTES = [0x70, 0x73, 0x62, 0x74, 0xff];

/**
 * BCR-2020-006 (Blockchain Commons UR registry types), "crypto-psbt" example: the PSBT, its CBOR
 * (one byte string, 0x58 0xa7 = 167 bytes) and the single-part UR.
 */
const BCR_PSBT_HEX =
  '70736274ff01009a020000000258e87a21b56daf0c23be8e7070456c336f7cbaa5c8757924f545887bb2abdd750000000000ffffffff838d0427d0ec650a68aa46bb0b09' +
  '8aea4422c071b2ca78352a077959d07cea1d0100000000ffffffff0270aaf00800000000160014d85c2b71d0060b09c9886aeb815e50991dda124d00e1f5050000000016' +
  '001400aea9a2e5f0f876a588df5546e8742d1d87008f000000000000000000';
const BCR_UR =
  'ur:crypto-psbt/hdosjojkidjyzmadaenyaoaeaeaeaohdvsknclrejnpebncnrnmnjojofejzeojlkerdonspkpkkdkykfelokgprpyutkpaeaeaeaeaezmzmzmzmlslgaaditiw' +
  'pihbkispkfgrkbdaslewdfycprtjsprsgksecdratkkhktikewdcaadaeaeaeaezmzmzmzmaojopkwtayaeaeaeaecmaebbtphhdnjstiambdassoloimwmlyhygdnlcatnbggtaevyy' +
  'kahaeaeaeaecmaebbaeplptoevwwtyakoonlourgofgvsjydpcaltaemyaeaeaeaeaeaeaeaeaebkgdcarh';

/**
 * BCR-2020-005 / the bc-ur reference implementation's `test_ur_encoder`: the 256-byte message
 * `make_message("Wolf", 256)` wrapped in a CBOR byte string, fountain-coded with max fragment
 * length 30 into 9 fragments; the first 20 parts (9 pure, then mixed).
 */
const REFERENCE_PARTS = [
  'ur:bytes/1-9/lpadascfadaxcywenbpljkhdcahkadaemejtswhhylkepmykhhtsytsnoyoyaxaedsuttydmmhhpktpmsrjtdkgslpgh',
  'ur:bytes/2-9/lpaoascfadaxcywenbpljkhdcagwdpfnsboxgwlbaawzuefywkdplrsrjynbvygabwjldapfcsgmghhkhstlrdcxaefz',
  'ur:bytes/3-9/lpaxascfadaxcywenbpljkhdcahelbknlkuejnbadmssfhfrdpsbiegecpasvssovlgeykssjykklronvsjksopdzmol',
  'ur:bytes/4-9/lpaaascfadaxcywenbpljkhdcasotkhemthydawydtaxneurlkosgwcekonertkbrlwmplssjtammdplolsbrdzcrtas',
  'ur:bytes/5-9/lpahascfadaxcywenbpljkhdcatbbdfmssrkzmcwnezelennjpfzbgmuktrhtejscktelgfpdlrkfyfwdajldejokbwf',
  'ur:bytes/6-9/lpamascfadaxcywenbpljkhdcackjlhkhybssklbwefectpfnbbectrljectpavyrolkzczcpkmwidmwoxkilghdsowp',
  'ur:bytes/7-9/lpatascfadaxcywenbpljkhdcavszmwnjkwtclrtvaynhpahrtoxmwvwatmedibkaegdosftvandiodagdhthtrlnnhy',
  'ur:bytes/8-9/lpayascfadaxcywenbpljkhdcadmsponkkbbhgsoltjntegepmttmoonftnbuoiyrehfrtsabzsttorodklubbuyaetk',
  'ur:bytes/9-9/lpasascfadaxcywenbpljkhdcajskecpmdckihdyhphfotjojtfmlnwmadspaxrkytbztpbauotbgtgtaeaevtgavtny',
  'ur:bytes/10-9/lpbkascfadaxcywenbpljkhdcahkadaemejtswhhylkepmykhhtsytsnoyoyaxaedsuttydmmhhpktpmsrjtwdkiplzs',
  'ur:bytes/11-9/lpbdascfadaxcywenbpljkhdcahelbknlkuejnbadmssfhfrdpsbiegecpasvssovlgeykssjykklronvsjkvetiiapk',
  'ur:bytes/12-9/lpbnascfadaxcywenbpljkhdcarllaluzmdmgstospeyiefmwejlwtpedamktksrvlcygmzemovovllarodtmtbnptrs',
  'ur:bytes/13-9/lpbtascfadaxcywenbpljkhdcamtkgtpknghchchyketwsvwgwfdhpgmgtylctotzopdrpayoschcmhplffziachrfgd',
  'ur:bytes/14-9/lpbaascfadaxcywenbpljkhdcapazewnvonnvdnsbyleynwtnsjkjndeoldydkbkdslgjkbbkortbelomueekgvstegt',
  'ur:bytes/15-9/lpbsascfadaxcywenbpljkhdcaynmhpddpzmversbdqdfyrehnqzlugmjzmnmtwmrouohtstgsbsahpawkditkckynwt',
  'ur:bytes/16-9/lpbeascfadaxcywenbpljkhdcawygekobamwtlihsnpalnsghenskkiynthdzotsimtojetprsttmukirlrsbtamjtpd',
  'ur:bytes/17-9/lpbyascfadaxcywenbpljkhdcamklgftaxykpewyrtqzhydntpnytyisincxmhtbceaykolduortotiaiaiafhiaoyce',
  'ur:bytes/18-9/lpbgascfadaxcywenbpljkhdcahkadaemejtswhhylkepmykhhtsytsnoyoyaxaedsuttydmmhhpktpmsrjtntwkbkwy',
  'ur:bytes/19-9/lpbwascfadaxcywenbpljkhdcadekicpaajootjzpsdrbalpeywllbdsnbinaerkurspbncxgslgftvtsrjtksplcpeo',
  'ur:bytes/20-9/lpbbascfadaxcywenbpljkhdcayapmrleeleaxpasfrtrdkncffwjyjzgyetdmlewtkpktgllepfrltataztksmhkbot',
];

/** A deterministic shuffle (the test must fail the same way twice), seeded by a tiny LCG. */
function shuffled<T>(items: T[], seed: number): T[] {
  const out = [...items];
  let state = seed;
  for (let i = out.length - 1; i > 0; i--) {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    const j = state % (i + 1);
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

function readAll(frames: string[]): { reader: UrPsbtReader; last: ReturnType<UrPsbtReader['receive']> } {
  const reader = new UrPsbtReader();
  let last = { done: false, progress: 0 } as ReturnType<UrPsbtReader['receive']>;
  for (const frame of frames) {
    last = reader.receive(frame);
    if (last.done) break;
  }
  return { reader, last };
}

describe('BC-UR crypto-psbt against the published vectors', () => {
  it('encodes the BCR-2020-006 PSBT as its single-part UR, upper case for QR alphanumeric mode', () => {
    const { frames, singlePart } = urFramesForPsbt(fromHex(BCR_PSBT_HEX));
    assert.equal(singlePart, true);
    assert.deepEqual(frames, [BCR_UR.toUpperCase()]);
  });

  it('wraps the PSBT in one CBOR byte string exactly as BCR-2020-006 shows (58 a7 …)', () => {
    const ur = new UR(UR.fromBuffer(Buffer.from(fromHex(BCR_PSBT_HEX))).cbor, 'crypto-psbt');
    assert.equal(ur.cbor.toString('hex'), `58a7${BCR_PSBT_HEX}`);
  });

  it('reads the BCR-2020-006 UR back to the PSBT, in either case', () => {
    for (const text of [BCR_UR, BCR_UR.toUpperCase()]) {
      const result = new UrPsbtReader().receive(text);
      assert.equal(result.done, true);
      assert.equal(Buffer.from(result.psbt as Uint8Array).toString('hex'), BCR_PSBT_HEX);
    }
  });

  it("the fountain coder produces the reference implementation's 20 parts byte for byte", () => {
    // make_message: Xoshiro256** seeded with SHA-256("Wolf"), 256 bytes (the library's own PRNG,
    // itself checked by the expected parts: a wrong message gives other parts).
    const { default: Xoshiro } = createRequire(import.meta.url)('@ngraveio/bc-ur/dist/xoshiro.js') as {
      default: new (seed: Buffer) => { nextData(n: number): number[] };
    };
    const message = Buffer.from(new Xoshiro(Buffer.from('Wolf')).nextData(256));
    const encoder = new UREncoder(UR.fromBuffer(message), 30);
    assert.equal(encoder.fragmentsLength, 9);
    assert.deepEqual(
      REFERENCE_PARTS.map(() => encoder.nextPart()),
      REFERENCE_PARTS,
    );
  });
});

describe('urFramesForPsbt and UrPsbtReader', () => {
  const psbt = multisigPsbt({ inputs: 3, recipients: 4 });

  it('makes a full cycle of pure fragments plus fountain extras, all upper case', () => {
    const { frames, singlePart, fragments } = urFramesForPsbt(psbt, { maxFragmentLength: 100 });
    assert.equal(singlePart, false);
    // The CBOR adds 3 bytes (0x59 and a 2-byte length); the fountain cuts it into equal fragments of ≤ 100 bytes.
    assert.equal(fragments, Math.ceil((psbt.length + 3) / 100));
    assert.ok(fragments >= 10, `a PSBT of ${psbt.length} bytes in fragments of ≤ 100 bytes: ${fragments}`);
    assert.equal(frames.length, fragments + fountainExtras(fragments));
    assert.equal(fountainExtras(fragments), fragments);
    assert.equal(fountainExtras(1), 0);
    assert.equal(fountainExtras(2), 2);
    assert.deepEqual(
      frames.map((f) => /^UR:CRYPTO-PSBT\/(\d+)-(\d+)\/[A-Z]+$/.exec(f)?.slice(1).map(Number)),
      frames.map((_, i) => [i + 1, fragments]),
    );
  });

  it('uses the default fragment length (200 bytes) when none is given', () => {
    const { fragments } = urFramesForPsbt(psbt);
    assert.equal(fragments, Math.ceil((psbt.length + 3) / 200));
  });

  it('rebuilds identical bytes from the frames in order and shuffled', () => {
    const { frames } = urFramesForPsbt(psbt, { maxFragmentLength: 100 });
    for (const order of [frames, shuffled(frames, 1), shuffled(frames, 2), [...frames].reverse()]) {
      const { last } = readAll(order);
      assert.equal(last.done, true);
      assert.equal(last.progress, 1);
      assert.deepEqual(Buffer.from(last.psbt as Uint8Array), Buffer.from(psbt));
    }
  });

  it('finishes within one pass for most readers that lose a tenth of the frames, and every one after two passes', () => {
    const { frames, fragments } = urFramesForPsbt(psbt, { maxFragmentLength: 100 });
    let onePass = 0;
    let secondPass = 0;
    const trials = 40;
    for (let seed = 1; seed <= trials; seed++) {
      // Each frame is lost with probability 1/10 in each pass (the same LCG as shuffled()).
      let state = seed * 7919;
      const seen = (): boolean => {
        state = (state * 1103515245 + 12345) % 2 ** 31;
        return state % 10 !== 0;
      };
      const reader = new UrPsbtReader();
      let last = reader.receive(frames[0] as string);
      for (const frame of frames.slice(1)) if (seen() && !last.done) last = reader.receive(frame);
      if (last.done) onePass++;
      if (!last.done) secondPass++;
      for (const frame of frames) if (seen() && !last.done) last = reader.receive(frame);
      assert.equal(last.done, true, `seed ${seed}: done after two passes`);
      assert.deepEqual(Buffer.from(last.psbt as Uint8Array), Buffer.from(psbt));
    }
    assert.ok(fragments > 10);
    assert.ok(onePass >= trials * 0.9, `${onePass} of ${trials} readers finished in one pass (${secondPass} needed a second)`);
  });

  it('without the extras a lost fragment cannot be recovered: progress stays below 1', () => {
    const { frames, fragments } = urFramesForPsbt(psbt, { maxFragmentLength: 100 });
    const pure = frames.slice(0, fragments);
    const { last, reader } = readAll(pure.slice(1));
    assert.equal(last.done, false);
    assert.equal(last.psbt, undefined);
    assert.equal(last.progress, (fragments - 1) / fragments);
    assert.equal(reader.expectedParts, fragments);
    // The missing frame comes round again in the next cycle.
    const final = reader.receive(pure[0] as string);
    assert.equal(final.done, true);
    assert.deepEqual(Buffer.from(final.psbt as Uint8Array), Buffer.from(psbt));
  });

  it('ignores duplicates and answers again once done', () => {
    const { frames, fragments } = urFramesForPsbt(psbt, { maxFragmentLength: 100 });
    const reader = new UrPsbtReader();
    const first = reader.receive(frames[0] as string);
    assert.deepEqual(reader.receive(frames[0] as string), first);
    assert.equal(first.progress, 1 / fragments);
    let last = first;
    for (const frame of frames) last = reader.receive(frame);
    assert.equal(last.done, true);
    assert.deepEqual(reader.receive(frames[3] as string).psbt, last.psbt);
  });

  it('refuses a UR of another type, a part of another PSBT and a damaged part, keeping its progress', () => {
    const { frames } = urFramesForPsbt(psbt, { maxFragmentLength: 100 });
    const other = urFramesForPsbt(multisigPsbt({ inputs: 2, recipients: 5 }), { maxFragmentLength: 100 });
    const reader = new UrPsbtReader();
    reader.receive(frames[0] as string);
    throwsSpecterError(() => reader.receive(REFERENCE_PARTS[1] as string), 'PSBT_CORRUPT', /UR of type bytes, expected crypto-psbt/);
    throwsSpecterError(() => reader.receive(other.frames[1] as string), 'PSBT_CORRUPT', /another sequence/);
    const damaged = (frames[1] as string).replace(/[A-Z]{4}$/, 'AEAE');
    throwsSpecterError(() => reader.receive(damaged), 'PSBT_CORRUPT', /damaged/);
    throwsSpecterError(() => reader.receive('UR:CRYPTO-PSBT'), 'PSBT_CORRUPT', /Not a UR part/);
    throwsSpecterError(() => reader.receive('hello'), 'PSBT_CORRUPT', /Not a UR part/);
    let result = reader.receive(frames[1] as string);
    for (const frame of frames.slice(2)) result = reader.receive(frame);
    assert.equal(result.done, true);
    assert.deepEqual(Buffer.from(result.psbt as Uint8Array), Buffer.from(psbt));
  });

  it('refuses a part announcing more fragments than any PSBT needs, before the decoder allocates for them', () => {
    const { frames } = urFramesForPsbt(psbt, { maxFragmentLength: 100 });
    const crafted = (frames[0] as string).replace(/\/1-\d+\//, '/1-4000000000/');
    throwsSpecterError(() => new UrPsbtReader().receive(crafted), 'PSBT_CORRUPT', /announces 4000000000 fragments; at most 2000/);
    const large = Uint8Array.from([...PSBT_MAGIC_BYTES, ...new Uint8Array(25_000)]);
    const encoder = new UREncoder(new UR(UR.fromBuffer(Buffer.from(large)).cbor, 'crypto-psbt'), 10);
    assert.equal(encoder.fragmentsLength, 2501);
    throwsSpecterError(() => new UrPsbtReader().receive(encoder.nextPart()), 'PSBT_CORRUPT', /announces 2501 fragments/);
    // The encoder side refuses to make what the reader would refuse.
    throwsSpecterError(() => urFramesForPsbt(large, { maxFragmentLength: 10 }), 'VALIDATION', /needs 2501 QR frames at 10 bytes each/);
  });

  it('reads the newer type name ur:psbt as well', () => {
    const ur = new UR(UR.fromBuffer(Buffer.from(psbt)).cbor, 'psbt');
    const result = new UrPsbtReader().receive(UREncoder.encodeSinglePart(ur));
    assert.equal(result.done, true);
    assert.deepEqual(Buffer.from(result.psbt as Uint8Array), Buffer.from(psbt));
  });

  it('refuses a crypto-psbt UR whose content is not a PSBT', () => {
    const ur = new UR(UR.fromBuffer(Buffer.from('not a psbt at all')).cbor, 'crypto-psbt');
    throwsSpecterError(() => new UrPsbtReader().receive(UREncoder.encodeSinglePart(ur)), 'PSBT_CORRUPT', /content is not a PSBT/);
  });

  it('encodes only PSBTs, with a sane fragment length', () => {
    throwsSpecterError(() => urFramesForPsbt(Uint8Array.of(1, 2, 3)), 'PSBT_CORRUPT', /magic/);
    throwsSpecterError(() => urFramesForPsbt(psbt, { maxFragmentLength: 5 }), 'VALIDATION', /maxFragmentLength/);
  });
});
