/**
 * QR images of PSBTs, as SVG markup to put inline in a page (the CSP allows no data: images):
 * one per UR frame for the animated `crypto-psbt` QR, and one static QR of the base64 PSBT when it
 * fits. Drawn by `qrcode` (already used for addresses) with error correction L: a screen shown to a
 * camera needs no damage tolerance, and L holds the most data per QR.
 */
import { createRequire } from 'node:module';
import QRCode from 'qrcode';
import { SpecterError } from '../errors/index.js';
import { hasPsbtMagic } from './psbt-format.js';

interface SvgTagRenderer {
  render(qr: QRCode.QRCode, options?: QRCode.QRCodeRenderersOptions): string;
}
// qrcode's own SVG renderer, called directly: `toString` wraps it in a promise for no gain.
const svgTag = createRequire(import.meta.url)('qrcode/lib/renderer/svg-tag.js') as SvgTagRenderer;

const SVG_OPTIONS: QRCode.QRCodeRenderersOptions = { margin: 2 };

/** The QR alphanumeric alphabet: upper-case UR parts fit it, at 5.5 bits a character instead of 8. */
const ALPHANUMERIC = /^[0-9A-Z $%*+\-./:]*$/;

function qrSvg(text: string): string {
  const segment: QRCode.QRCodeSegment = ALPHANUMERIC.test(text)
    ? { data: text, mode: 'alphanumeric' }
    : { data: Buffer.from(text, 'utf8'), mode: 'byte' };
  const qr = QRCode.create([segment], { errorCorrectionLevel: 'L' });
  return svgTag.render(qr, SVG_OPTIONS);
}

/** One SVG per frame (upper-case UR parts are drawn in alphanumeric mode). */
export function qrSvgFrames(frames: string[]): string[] {
  return frames.map((frame) => {
    try {
      return qrSvg(frame);
    } catch (err) {
      throw new SpecterError('VALIDATION', `A QR frame of ${frame.length} characters does not fit in a QR code: ${(err as Error).message}.`);
    }
  });
}

/**
 * A static QR of the PSBT in base64 (what Specter Desktop shows for devices without UR), or null
 * when it is too big for one QR code (version 40 at level L holds 2,953 bytes).
 */
export function staticPsbtQrSvg(psbt: Uint8Array): string | null {
  if (!hasPsbtMagic(psbt)) throw new SpecterError('PSBT_CORRUPT', 'Only a PSBT can be drawn as a PSBT QR code: the bytes lack the PSBT magic.');
  try {
    return qrSvg(Buffer.from(psbt).toString('base64'));
  } catch (err) {
    if (/too big/i.test((err as Error).message)) return null;
    throw err;
  }
}
