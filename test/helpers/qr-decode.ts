/**
 * Reads QR codes back from images, as a phone or a hardware wallet would: jsQR on raw pixels.
 * `decodeQrPng` takes any PNG (a browser test's element screenshot, qrcode's toBuffer);
 * `decodeQrSvg` draws the SVG that `qrcode` writes (one path of `M x y`, `m dx 0` and `h n`
 * commands, one module per unit, stroked 1 unit wide) onto a pixel grid first.
 *
 * Known gap: jsQR 1.4.0 reads no version-23 code at error correction L (checked: every version
 * 1–40 at L, M, Q and H drawn by qrcode; only 23-L fails, and zbarimg reads those). The static
 * base64 QR of a PSBT of about 770–820 bytes lands there; UR frames at the default fragment length
 * (version 11 or 12) do not.
 */
import jsQRModule from 'jsqr';
import { PNG } from 'pngjs';

// jsqr is CommonJS whose module.exports is the function and also carries it as `default`.
const jsQR = (jsQRModule as unknown as { default?: typeof jsQRModule }).default ?? jsQRModule;

/** The text of the QR code in an RGBA image, or null when none is found. */
export function decodeQrPixels(data: Uint8ClampedArray, width: number, height: number): string | null {
  const found = (jsQR as unknown as (d: Uint8ClampedArray, w: number, h: number) => { data: string } | null)(data, width, height);
  return found ? found.data : null;
}

export function decodeQrPng(png: Buffer): string | null {
  const image = PNG.sync.read(png);
  return decodeQrPixels(new Uint8ClampedArray(image.data.buffer, image.data.byteOffset, image.data.length), image.width, image.height);
}

/** Rasterizes qrcode's SVG at `scale` pixels a module (white background) and decodes it. */
export function decodeQrSvg(svg: string, scale = 4): string | null {
  const box = /viewBox="0 0 (\d+) (\d+)"/.exec(svg);
  const paths = [...svg.matchAll(/<path [^>]*stroke="[^"]*"[^>]* d="([^"]*)"/g)];
  if (!box || paths.length !== 1) throw new Error('not an SVG written by qrcode');
  const modules = Number(box[1]);
  const size = modules * scale;
  const pixels = new Uint8ClampedArray(size * size * 4).fill(255);
  const dark = (mx: number, my: number): void => {
    for (let dy = 0; dy < scale; dy++) {
      for (let dx = 0; dx < scale; dx++) {
        const at = ((my * scale + dy) * size + mx * scale + dx) * 4;
        pixels[at] = 0;
        pixels[at + 1] = 0;
        pixels[at + 2] = 0;
      }
    }
  };
  let x = 0;
  let y = 0;
  for (const [, cmd, a, b] of (paths[0] as RegExpMatchArray)[1]?.matchAll(/([MmHh])([\d.]+)(?: ([\d.]+))?/g) ?? []) {
    const n = Number(a);
    if (cmd === 'M') [x, y] = [n, Number(b)];
    else if (cmd === 'm') [x, y] = [x + n, y + Number(b)];
    else {
      const to = cmd === 'h' ? x + n : n;
      // The stroke runs along y = row + 0.5: the modules of row floor(y) from x to `to`.
      for (let mx = x; mx < to; mx++) dark(mx, Math.floor(y));
      x = to;
    }
  }
  return decodeQrPixels(pixels, size, size);
}
