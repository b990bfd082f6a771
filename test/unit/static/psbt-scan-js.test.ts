/**
 * static/js/psbt-scan.js: the part collector behind camera scanning, run in a VM (the camera and
 * BarcodeDetector are browser-only; without `document` the script only defines the collector).
 * What it collects must be what the server's parsePsbtInput rebuilds the PSBT from.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import vm from 'node:vm';
import { parsePsbtInput } from '../../../src/bitcoin/psbt-transport.js';
import { urFramesForPsbt } from '../../../src/bitcoin/ur-psbt.js';
import { repoRoot } from '../../helpers/files.js';
import { multisigPsbt } from '../bitcoin/psbt-fixture.js';

interface Collector {
  text: string;
  add(raw: string): { done: boolean; message: string };
}

function collector(): Collector {
  const window: Record<string, unknown> = {};
  vm.runInNewContext(fs.readFileSync(path.join(repoRoot(), 'static/js/psbt-scan.js'), 'utf8'), { window });
  const api = window.specterQrScan as { Collector: new () => Collector };
  return new api.Collector();
}

const psbt = multisigPsbt({ inputs: 3, recipients: 4 });

describe('static/js/psbt-scan.js collector', () => {
  it('collects an animation seen from the middle, with repeats, until every fragment is there', () => {
    const { frames, fragments } = urFramesForPsbt(psbt, { maxFragmentLength: 100 });
    const c = collector();
    // From frame 6 on, one frame seen twice, round into the next cycle: every fragment is there at frame 5 of it.
    const order = [...frames.slice(5, 9), frames[7], ...frames.slice(9), ...frames] as string[];
    let last = { done: false, message: '' };
    let reads = 0;
    for (const frame of order) {
      last = c.add(frame);
      reads++;
      if (last.done) break;
    }
    assert.equal(last.done, true, last.message);
    assert.equal(reads, frames.length - 5 + 1 + 5, 'it stopped as soon as it had every fragment');
    assert.ok(fragments > 10);
    const parsed = parsePsbtInput(c.text);
    assert.equal(parsed.kind, 'psbt');
    assert.deepEqual(parsed.kind === 'psbt' && Buffer.from(parsed.psbt), Buffer.from(psbt));
  });

  it('reports progress, then refuses other UR types and parts of another animation', () => {
    const { frames, fragments } = urFramesForPsbt(psbt, { maxFragmentLength: 100 });
    const c = collector();
    assert.equal(c.add(frames[0] as string).message, `Reading the animation: 1 of ${fragments} fragments, 1 parts so far.`);
    assert.match(c.add('UR:CRYPTO-ACCOUNT/OEADCYEMREWYTYAOLY').message, /type crypto-account, not a PSBT/);
    const other = urFramesForPsbt(multisigPsbt({ inputs: 1, recipients: 1 }), { maxFragmentLength: 100 });
    assert.match(c.add(other.frames[0] as string).message, /another animation/);
    assert.match(c.add('cHNidP8BAH0CAAAA').message, /not part of this animation/);
    assert.equal(c.text, frames[0]);
  });

  it('takes a single-part UR or a plain base64 QR at once', () => {
    const small = multisigPsbt({ inputs: 1, recipients: 1 });
    const single = urFramesForPsbt(small, { maxFragmentLength: 2000 }).frames[0] as string;
    const a = collector();
    assert.equal(a.add(single).done, true);
    assert.equal(a.text, single);
    const b = collector();
    const base64 = Buffer.from(small).toString('base64');
    assert.equal(b.add(` ${base64} `).done, true);
    assert.equal(b.text, base64);
  });
});
