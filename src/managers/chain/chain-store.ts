/**
 * Where a wallet's chain state lives: `<wallets folder>/chain/<alias>.json` (a folder of its own,
 * so it can never clash with the extensions' `<alias>_<service_id>.json`) and its journal
 * `<alias>.log` (src/persistence/snapshot-journal.ts). A sync that finds one new transaction
 * appends one line with that transaction and the new tip — its cost does not grow with the
 * history — and an idle sync writes nothing. The journal is folded into the snapshot when it
 * outgrows it.
 *
 * It is a cache: Core has everything, so a damaged snapshot or journal is rebuilt by a full sync
 * (the caller logs and starts over).
 */
import path from 'node:path';
import { z } from 'zod';
import { SpecterError } from '../../errors/index.js';
import { SnapshotJournal, type JsonFileStore } from '../../persistence/index.js';
import { chainStateSchema, txRecordSchema, type ChainState, type TxRecord } from './chain-state.js';

export const CHAIN_FOLDER = 'chain';

/** What one save changed: the whole transactions to set and the txids to drop. */
export interface ChainStateChanges {
  put: readonly TxRecord[];
  removed: readonly string[];
}

export interface ChainStateStore {
  load(): Promise<ChainState | undefined>;
  /** Without `changes`, the whole state is written (a new link, a rebuild). */
  save(state: ChainState, changes?: ChainStateChanges): Promise<void>;
  remove(): Promise<void>;
}

/** One journal line: everything but the transactions (small), the transactions set, the ones dropped. */
const journalLineSchema = z.object({
  m: chainStateSchema.omit({ txs: true }),
  t: z.array(txRecordSchema),
  d: z.array(z.string()),
});
type JournalLine = z.infer<typeof journalLineSchema>;

function corrupt(file: string, line: number | undefined, why: string): SpecterError {
  return new SpecterError('DATA_FILE_CORRUPT', `The chain cache ${file}${line === undefined ? '' : ` line ${line}`} is invalid: ${why}.`, {
    hint: 'Delete it (and the .log beside it); the next sync rebuilds it from Bitcoin Core.',
    details: { path: file, line },
  });
}

export class JournalChainStateStore implements ChainStateStore {
  readonly file: string;
  readonly #journal: SnapshotJournal<JournalLine>;

  /** `walletsFolder` is the wallet's folder; `alias` must already be a valid wallet alias. */
  constructor(store: JsonFileStore, walletsFolder: string, alias: string) {
    this.file = path.join(walletsFolder, CHAIN_FOLDER, `${alias}.json`);
    this.#journal = new SnapshotJournal(store, this.file, {
      parseLine: (json, line) => {
        const parsed = journalLineSchema.safeParse(json);
        if (!parsed.success) throw corrupt(this.#journal.logPath, line, parsed.error.issues[0]?.message ?? 'wrong shape');
        return parsed.data;
      },
      corrupt: (file, line, why) => corrupt(file, line, why),
    });
  }

  async load(): Promise<ChainState | undefined> {
    const read = await this.#journal.read();
    if (!read) return undefined;
    let state: ChainState;
    if (read.snapshot === undefined) {
      // Only a journal (the snapshot was deleted by hand): its first line holds everything but transactions.
      const first = read.lines[0];
      if (!first) return undefined;
      state = { ...first.m, txs: {} };
    } else {
      const parsed = chainStateSchema.safeParse(read.snapshot);
      if (!parsed.success) throw corrupt(this.file, undefined, parsed.error.issues[0]?.message ?? 'wrong shape');
      state = parsed.data;
    }
    for (const line of read.lines) {
      Object.assign(state, line.m);
      for (const tx of line.t) state.txs[tx.txid] = tx;
      for (const txid of line.d) delete state.txs[txid];
    }
    return state;
  }

  async save(state: ChainState, changes?: ChainStateChanges): Promise<void> {
    if (!changes) {
      await this.#journal.compact(state);
      return;
    }
    const { txs: _txs, ...meta } = state;
    await this.#journal.save([{ m: meta, t: [...changes.put], d: [...changes.removed] }], () => state);
  }

  async remove(): Promise<void> {
    await this.#journal.delete();
  }
}
