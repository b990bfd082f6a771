/**
 * The PSBT transport against Bitcoin Core's own PSBTs: the version-2 PSBT that Core 31 makes by
 * default (bitcoinjs-lib cannot read it), the version 0 it makes on request, and the final
 * transaction after signing — each recognised by parsePsbtInput in every form, and carried through
 * the animated UR and its QR images unchanged. Core also checks our bitcoinjs-made fixture.
 * Against a real regtest bitcoind; without one the file skips with one line.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { qrSvgFrames } from '../../../src/bitcoin/psbt-qr.js';
import { parsePsbtInput } from '../../../src/bitcoin/psbt-transport.js';
import { UrPsbtReader, urFramesForPsbt } from '../../../src/bitcoin/ur-psbt.js';
import { bitcoindSkip, startBitcoind, type Bitcoind } from '../../helpers/bitcoind.js';
import { throwsSpecterError } from '../../helpers/assertions.js';
import { decodeQrSvg } from '../../helpers/qr-decode.js';
import { multisigPsbt } from '../../unit/bitcoin/psbt-fixture.js';

describe('PSBT transport with Bitcoin Core PSBTs', { skip: bitcoindSkip() }, () => {
  let core: Bitcoind;
  let v2 = '';
  let v0 = '';
  let supportsV2 = false;

  before(async () => {
    core = await startBitcoind(undefined);
    const address = await core.rpc<string>('getnewaddress', [], 'faucet');
    const outputs = [{ [address]: 0.1 }, { [await core.rpc<string>('getnewaddress', [], 'faucet')]: 0.25 }];
    const { version } = await core.rpc<{ version: number }>('getnetworkinfo');
    supportsV2 = version >= 310000;
    const made = await core.rpc<{ psbt: string }>('walletcreatefundedpsbt', [[], outputs, 0, { add_inputs: true }], 'faucet');
    v2 = made.psbt;
    // psbt_version is the 7th positional parameter (after bip32derivs and the transaction version).
    const asV0 = supportsV2 ? [true, 2, 0] : [];
    v0 = (await core.rpc<{ psbt: string }>('walletcreatefundedpsbt', [[], outputs, 0, { add_inputs: true }, ...asV0], 'faucet')).psbt;
  });
  after(async () => {
    await core?.destroy();
  });

  it("reads Core's default PSBT (version 2 on Core 31) as base64, hex and binary, bytes unchanged", (t) => {
    // t.skip() only marks the test: return, or the assertions below run against a version-0 PSBT.
    if (!supportsV2) return t.skip('this Core makes only version 0');
    const bytes = Buffer.from(v2, 'base64');
    for (const input of [v2, bytes.toString('hex'), bytes, `${v2.match(/.{1,76}/g)?.join('\n')}\n`]) {
      const parsed = parsePsbtInput(input);
      assert.equal(parsed.kind, 'psbt');
      assert.equal(parsed.kind === 'psbt' && parsed.version, 2);
      assert.deepEqual(parsed.kind === 'psbt' && Buffer.from(parsed.psbt), bytes);
    }
    throwsSpecterError(() => parsePsbtInput(bytes.subarray(0, bytes.length - 3)), 'PSBT_CORRUPT', /version 2\) that is malformed/);
  });

  it('reads the version-0 PSBT Core makes on request', () => {
    const parsed = parsePsbtInput(v0);
    assert.equal(parsed.kind === 'psbt' && parsed.version, 0);
    assert.deepEqual(parsed.kind === 'psbt' && Buffer.from(parsed.psbt), Buffer.from(v0, 'base64'));
  });

  it('carries both through the animated UR and its QR images unchanged', () => {
    for (const base64 of supportsV2 ? [v2, v0] : [v0]) {
      const bytes = new Uint8Array(Buffer.from(base64, 'base64'));
      const { frames } = urFramesForPsbt(bytes, { maxFragmentLength: 60 });
      assert.ok(frames.length > 2);
      const reader = new UrPsbtReader();
      let result = reader.receive(decodeQrSvg(qrSvgFrames([frames.at(-1) as string])[0] as string) as string);
      for (const svg of qrSvgFrames(frames)) if (!result.done) result = reader.receive(decodeQrSvg(svg) as string);
      assert.equal(result.done, true);
      assert.deepEqual(Buffer.from(result.psbt as Uint8Array), Buffer.from(bytes));
    }
  });

  it('reads the signed, finalized transaction as final', async () => {
    const signed = await core.rpc<{ psbt: string; complete: boolean }>('walletprocesspsbt', [v0], 'faucet');
    assert.equal(signed.complete, true);
    const parsed = parsePsbtInput(signed.psbt);
    assert.equal(parsed.kind, 'psbt', 'a signed PSBT is still a PSBT');
    const { hex } = await core.rpc<{ hex: string; complete: boolean }>('finalizepsbt', [signed.psbt]);
    const final = parsePsbtInput(hex);
    assert.equal(final.kind, 'final');
    assert.equal(final.kind === 'final' && Buffer.from(final.tx).toString('hex'), hex);
  });

  it('Core decodes the bitcoinjs-made 2-of-3 fixture the unit tests use (it is a real PSBT)', async () => {
    const fixture = multisigPsbt();
    const decoded = await core.rpc<{ inputs: Array<{ bip32_derivs: unknown[]; witness_script: unknown }>; outputs: unknown[] }>('decodepsbt', [
      Buffer.from(fixture).toString('base64'),
    ]);
    assert.equal(decoded.inputs.length, 2);
    assert.equal(decoded.outputs.length, 4);
    assert.equal(decoded.inputs[0]?.bip32_derivs.length, 3);
    assert.ok(decoded.inputs[0]?.witness_script);
  });
});
