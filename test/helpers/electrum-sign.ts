/**
 * Debian's python3-electrum as an independent PSBT signer (a stand-in for a hardware wallet):
 * test/fixtures/python/electrum_sign.py builds an in-memory Electrum wallet of the same keys, signs
 * with the private ones and says which outputs that wallet recognises as its own change.
 */
import { execFile, execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEBIAN_PYTHON } from './python.js';

const here = dirname(fileURLToPath(import.meta.url));

function scriptPath(): string {
  const candidates = [resolve(here, '../fixtures/python/electrum_sign.py'), resolve(here, '../../../test/fixtures/python/electrum_sign.py')];
  const found = candidates.find((p) => existsSync(p));
  if (!found) throw new Error(`electrum_sign.py not found; looked at ${candidates.join(', ')}`);
  return found;
}

/** For `describe(…, { skip: electrumSkip() })`: a reason when python3-electrum is missing (never under CI). */
export function electrumSkip(): string | false {
  if (process.env.CI) return false;
  try {
    execFileSync(DEBIAN_PYTHON, ['-c', 'import electrum'], { stdio: 'ignore', timeout: 30_000 });
    return false;
  } catch {
    return 'python3-electrum not installed (apt-get install python3-electrum)';
  }
}

export interface ElectrumKey {
  /** tprv (this key signs) or tpub. */
  xkey: string;
  fingerprint: string;
  /** Origin path of the account key, e.g. "m/48h/1h/0h/2h". */
  path: string;
}

export interface ElectrumSigned {
  psbt: string;
  complete: boolean;
  /** Output indexes Electrum sees as the signer's own change. */
  change: number[];
}

export interface ElectrumWallet {
  script: 'wpkh' | 'wsh' | 'sh-wsh';
  /** Signatures needed (multisig). */
  threshold?: number;
  /** Every key of the wallet, in the descriptor's order. */
  keys: ElectrumKey[];
}

/** Sign `psbt` (base64) in an Electrum wallet made of `wallet`'s keys; the keys given as tprv sign. */
export function electrumSign(psbt: string, wallet: ElectrumWallet, network = 'regtest'): Promise<ElectrumSigned> {
  return new Promise((resolvePromise, reject) => {
    const child = execFile(DEBIAN_PYTHON, [scriptPath()], { timeout: 60_000, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) {
        reject(new Error(`electrum_sign.py failed: ${err.message}\n${stderr}`));
        return;
      }
      try {
        resolvePromise(JSON.parse(stdout) as ElectrumSigned);
      } catch (parseErr) {
        reject(new Error(`electrum_sign.py printed non-JSON: ${stdout}\n${stderr}`, { cause: parseErr }));
      }
    });
    child.stdin!.end(JSON.stringify({ psbt, network, ...wallet }));
  });
}
