import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import QRCode from 'qrcode';
import { qrSvgFrames, staticPsbtQrSvg } from '../../../src/bitcoin/psbt-qr.js';
import { UrPsbtReader, urFramesForPsbt } from '../../../src/bitcoin/ur-psbt.js';
import { throwsSpecterError } from '../../helpers/assertions.js';
import { decodeQrPng, decodeQrSvg } from '../../helpers/qr-decode.js';
import { multisigPsbt } from './psbt-fixture.js';

/** Modules per side of a qrcode SVG (margin included), from its viewBox. */
function svgModules(svg: string): number {
  return Number(/viewBox="0 0 (\d+) /.exec(svg)?.[1]);
}

describe('QR images of PSBTs', () => {
  const psbt = multisigPsbt({ inputs: 3, recipients: 4 });

  it('draws every UR frame as an SVG that a QR reader decodes back to the frame, and the frames rebuild the PSBT', () => {
    const { frames } = urFramesForPsbt(psbt);
    const svgs = qrSvgFrames(frames);
    assert.equal(svgs.length, frames.length);
    const reader = new UrPsbtReader();
    let result = { done: false } as ReturnType<UrPsbtReader['receive']>;
    svgs.forEach((svg, i) => {
      assert.match(svg, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
      const text = decodeQrSvg(svg);
      assert.equal(text, frames[i], `frame ${i + 1}`);
      result = reader.receive(text as string);
    });
    assert.equal(result.done, true);
    assert.deepEqual(Buffer.from(result.psbt as Uint8Array), Buffer.from(psbt));
  });

  it('uses alphanumeric mode for upper-case UR parts: a smaller QR than byte mode would need', () => {
    const frame = urFramesForPsbt(psbt).frames[0] as string;
    const [svg] = qrSvgFrames([frame]);
    const byteMode = QRCode.create([{ data: Buffer.from(frame), mode: 'byte' }], { errorCorrectionLevel: 'L' });
    assert.ok(svgModules(svg as string) - 4 < byteMode.modules.size, `${svgModules(svg as string) - 4} < ${byteMode.modules.size}`);
    // Lower-case text still works (byte mode).
    assert.equal(decodeQrSvg(qrSvgFrames([frame.toLowerCase()])[0] as string), frame.toLowerCase());
  });

  it('the PNG path of the decoder (for screenshots in browser tests) reads the same frames', async () => {
    const { frames } = urFramesForPsbt(psbt);
    for (const frame of frames.slice(0, 3)) {
      const png = await QRCode.toBuffer(frame, { errorCorrectionLevel: 'L', margin: 2, scale: 4 });
      assert.equal(decodeQrPng(png), frame);
    }
    const blank = await QRCode.toBuffer('x', { scale: 1 });
    assert.notEqual(decodeQrPng(blank), frames[0]);
  });

  it('draws a static QR of the base64 PSBT when it fits, and answers null when it does not', () => {
    // Three recipients: a version-24 QR. (jsQR 1.4.0 cannot read version 23 at level L, which one
    // recipient would give; zbarimg reads it. See test/helpers/qr-decode.ts.)
    const small = multisigPsbt({ inputs: 1, recipients: 3 });
    const svg = staticPsbtQrSvg(small);
    assert.ok(svg);
    assert.equal((svgModules(svg) - 4 - 17) / 4, 24);
    assert.equal(decodeQrSvg(svg), Buffer.from(small).toString('base64'));
    const big = multisigPsbt({ inputs: 8, recipients: 2 });
    assert.ok(Buffer.from(big).toString('base64').length > 2953, 'more than a version-40 QR holds');
    assert.equal(staticPsbtQrSvg(big), null);
    throwsSpecterError(() => staticPsbtQrSvg(Uint8Array.of(1, 2)), 'PSBT_CORRUPT', /magic/);
  });

  it('says so when a frame is too long for any QR code', () => {
    throwsSpecterError(() => qrSvgFrames(['A'.repeat(5000)]), 'VALIDATION', /5000 characters does not fit/);
  });
});
