/**
 * A wallet's pending PSBTs: created, maybe partly signed, not broadcast. One JSON file per wallet,
 * `<wallets folder>/psbts/<alias>.json` (JsonFileStore: atomic, with a `.bkp`), keyed by the
 * unsigned transaction id. Unlike the chain cache this cannot be rebuilt from Bitcoin Core (the
 * signatures gathered so far live only here), so a damaged file is reported, never replaced.
 *
 * The inputs of each pending PSBT are locked on Core (`lockunspent`), so the next PSBT does not
 * pick the same coins; Core forgets locks when it restarts, and locks.ts puts them back.
 */
import path from 'node:path';
import { z } from 'zod';
import { SpecterError } from '../../errors/index.js';
import type { JsonFileStore } from '../../persistence/index.js';

export const PSBT_FOLDER = 'psbts';

const sats = z.number().int().refine(Number.isSafeInteger);
const txid = z.string().regex(/^[0-9a-f]{64}$/);

export const pendingPsbtSchema = z.object({
  /** Id of the unsigned transaction (for segwit inputs also the final one). */
  txid,
  /** The PSBT, version 0, base64, with every signature gathered so far. */
  psbt: z.string().min(1),
  /** Unix seconds. */
  created: z.number().int().nonnegative(),
  /** The spent outpoints, "txid:vout" (locked on Core). */
  inputs: z.array(z.string()),
  fee: sats,
  /** Estimated virtual size once signed (Core's analyzepsbt), vbytes. */
  vsize: z.number().int().positive(),
  /** Master fingerprints of the wallet's keys that have signed (kept after finalizing removes partial signatures). */
  signed_by: z.array(z.string().regex(/^[0-9a-f]{8}$/)),
  complete: z.boolean(),
  /** The final raw transaction once complete. */
  hex: z.string().nullable(),
  /** Labels the user gave recipients, by output address. */
  labels: z.record(z.string(), z.string()).default({}),
  /** The unconfirmed transaction this one replaces (RBF bump or cancel), or null. */
  replaces: txid.nullable().default(null),
});
export type PendingPsbt = z.infer<typeof pendingPsbtSchema>;

const fileSchema = z.object({ version: z.literal(1), psbts: z.record(z.string(), pendingPsbtSchema) });
type PendingFile = z.infer<typeof fileSchema>;

export class PendingPsbtStore {
  readonly file: string;

  /** `alias` must already be a valid wallet alias (it becomes a file name). */
  constructor(
    private readonly store: JsonFileStore,
    walletsFolder: string,
    alias: string,
  ) {
    this.file = path.join(walletsFolder, PSBT_FOLDER, `${alias}.json`);
  }

  private parse(raw: unknown): PendingFile {
    if (raw === undefined) return { version: 1, psbts: {} };
    const parsed = fileSchema.safeParse(raw);
    if (!parsed.success) {
      throw new SpecterError(
        'DATA_FILE_CORRUPT',
        `The pending PSBTs file ${this.file} is invalid: ${parsed.error.issues[0]?.message ?? 'wrong shape'}.`,
        {
          hint: 'Restore it from its .bkp beside it; deleting it forgets the pending PSBTs (their coins unlock after a node restart).',
          details: { path: this.file },
        },
      );
    }
    return parsed.data;
  }

  /** Every pending PSBT, oldest first. */
  async list(): Promise<PendingPsbt[]> {
    const file = this.parse(await this.store.read(this.file));
    return Object.values(file.psbts).sort((a, b) => a.created - b.created || a.txid.localeCompare(b.txid));
  }

  async get(id: string): Promise<PendingPsbt | undefined> {
    const file = this.parse(await this.store.read(this.file));
    return Object.hasOwn(file.psbts, id) ? file.psbts[id] : undefined;
  }

  async put(record: PendingPsbt): Promise<void> {
    const checked = pendingPsbtSchema.parse(record);
    await this.store.update<unknown>(this.file, (raw) => {
      const file = this.parse(raw);
      file.psbts[checked.txid] = checked;
      return file;
    });
  }

  /** Remove some; resolves to the ones that were there. An empty file is deleted. */
  async remove(ids: readonly string[]): Promise<PendingPsbt[]> {
    if (!ids.length) return [];
    const current = this.parse(await this.store.read(this.file));
    if (!ids.some((id) => Object.hasOwn(current.psbts, id))) return [];
    let removed: PendingPsbt[] = [];
    const next = await this.store.update<unknown>(this.file, (raw) => {
      const file = this.parse(raw);
      removed = ids.filter((id) => Object.hasOwn(file.psbts, id)).map((id) => file.psbts[id]!);
      for (const id of ids) delete file.psbts[id];
      return file;
    });
    if (!Object.keys((next as PendingFile).psbts).length) await this.store.delete(this.file);
    return removed;
  }
}

/** The pending PSBTs of a wallet in a wallets folder. */
export function pendingStore(store: JsonFileStore, walletsFolder: string, alias: string): PendingPsbtStore {
  return new PendingPsbtStore(store, walletsFolder, alias);
}
