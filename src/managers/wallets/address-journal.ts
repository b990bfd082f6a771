/**
 * Where a wallet's address list lives on disk: `<alias>_addresses.json` (a snapshot, the format
 * documented in wallet-record.ts) plus `<alias>_addresses.log`, a journal of the entries changed
 * since, one JSON line per save: `{"c": 0|1, "e": [entry, …]}` (the branch and the full entries).
 *
 * Why: the list used to be rewritten whole on every change — a label at 100,000 addresses cost a
 * 10 MB write, and paging 100,000 addresses through the API wrote O(n²) bytes. Now a change costs
 * the size of the change: one appended, fdatasynced line. When the journal outgrows the snapshot (and
 * at least COMPACT_MIN_BYTES), the whole list is written as a new snapshot and the journal
 * emptied, so the amortised cost per change stays constant.
 *
 * Crash safety (kill -9 at any point):
 * - an append that was cut off leaves a torn last line, which is recognised and skipped (the save
 *   it belonged to never returned, so nothing acknowledged is lost);
 * - compaction writes the snapshot atomically (JsonFileStore: temp, fsync, rename, `.bkp`) before
 *   it empties the journal; a crash between the two replays entries the snapshot already has,
 *   which is harmless because every journal line sets whole entries (idempotent);
 * - any other unreadable line is DATA_FILE_CORRUPT naming the file and line: never skipped silently.
 */
import { open, readFile, stat, unlink, type FileHandle } from 'node:fs/promises';
import { z } from 'zod';
import { SpecterError } from '../../errors/index.js';
import type { JsonFileStore } from '../../persistence/index.js';
import { journalEntrySchema, parseAddressesFile, type AddressEntry, type AddressesFile } from './wallet-record.js';

/** The journal is compacted once it is larger than the snapshot and at least this big. */
export const COMPACT_MIN_BYTES = 256 * 1024;
/**
 * The journal's file stays open this long after a save, so a run of label changes pays one
 * append and one fdatasync each, not an open and a close as well (measured: ~0.25 ms of the
 * ~0.5 ms a save cost); idle wallets hold no file descriptor.
 */
const HANDLE_IDLE_MS = 10_000;

const lineSchema = z.object({ c: z.union([z.literal(0), z.literal(1)]), e: z.array(journalEntrySchema).min(1) });

export interface JournalChange {
  change: boolean;
  entries: readonly AddressEntry[];
}

function corrupt(path: string, line: number, why: string): SpecterError {
  return new SpecterError('DATA_FILE_CORRUPT', `Address journal ${path} line ${line} is invalid: ${why}.`, {
    hint: `Move ${path} aside to fall back to the last snapshot (addresses derive again; labels set since the snapshot are lost), or restore a backup.`,
    details: { path, line },
  });
}

export class AddressJournal {
  readonly logPath: string;
  #logBytes = 0;
  #snapshotBytes = 0;
  /** The journal ends in a torn line: the next save rewrites the snapshot instead of appending to it. */
  #torn = false;
  #handle: FileHandle | undefined;
  #idle: NodeJS.Timeout | undefined;
  #appending = false;

  constructor(
    private readonly store: JsonFileStore,
    readonly snapshotPath: string,
  ) {
    this.logPath = snapshotPath.replace(/\.json$/, '.log');
  }

  /** The list as last saved: the snapshot with the journal replayed; undefined when neither exists. */
  async read(): Promise<AddressesFile | undefined> {
    const raw = await this.store.read<unknown>(this.snapshotPath);
    this.#snapshotBytes =
      raw === undefined
        ? 0
        : await stat(this.snapshotPath).then(
            (s) => s.size,
            () => 0,
          );
    let text: string;
    try {
      text = await readFile(this.logPath, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      text = '';
    }
    this.#logBytes = Buffer.byteLength(text);
    if (raw === undefined && !text) return undefined;
    const file = raw === undefined ? { receive: [], change: [] } : parseAddressesFile(raw, this.snapshotPath);
    // Every complete line ends in "\n"; what follows the last one is a torn line whose save never
    // completed (and never returned), so it is skipped — and must not have more appended to it.
    const lines = text.split('\n');
    this.#torn = lines.at(-1) !== '';
    for (let i = 0; i < lines.length - 1; i++) this.#apply(file, lines[i]!, i + 1);
    return file;
  }

  #apply(file: AddressesFile, line: string, number: number): void {
    if (!line.trim()) return;
    let json: unknown;
    try {
      json = JSON.parse(line);
    } catch {
      throw corrupt(this.logPath, number, 'not JSON');
    }
    const parsed = lineSchema.safeParse(json);
    if (!parsed.success) throw corrupt(this.logPath, number, parsed.error.issues[0]?.message ?? 'wrong shape');
    const branch = parsed.data.c === 1 ? file.change : file.receive;
    for (const entry of parsed.data.e) {
      if (entry.index > branch.length) throw corrupt(this.logPath, number, `entry ${entry.index} leaves a gap after ${branch.length}`);
      branch[entry.index] = entry;
    }
  }

  /** Saves the changed entries; compacts into a new snapshot when the journal has grown enough. */
  async save(changes: readonly JournalChange[], whole: () => AddressesFile): Promise<void> {
    const text = changes
      .filter((c) => c.entries.length > 0)
      .map((c) => `${JSON.stringify({ c: c.change ? 1 : 0, e: c.entries })}\n`)
      .join('');
    if (!text) return;
    const bytes = Buffer.byteLength(text);
    if (this.#torn || this.#snapshotBytes === 0 || this.#logBytes + bytes > Math.max(COMPACT_MIN_BYTES, this.#snapshotBytes)) {
      await this.compact(whole());
      return;
    }
    this.#appending = true;
    try {
      this.#handle ??= await open(this.logPath, 'a', 0o600);
      await this.#handle.appendFile(text);
      // fdatasync: the data and the new length, which is all a reader needs (not the mtime).
      await this.#handle.datasync();
    } catch (err) {
      // Part of the line may be on disk: the next save compacts instead of appending after it.
      this.#torn = true;
      await this.#closeHandle();
      throw err;
    } finally {
      this.#appending = false;
    }
    this.#logBytes += bytes;
    clearTimeout(this.#idle);
    this.#idle = setTimeout(() => {
      if (!this.#appending) void this.#closeHandle();
    }, HANDLE_IDLE_MS);
    this.#idle.unref();
  }

  async #closeHandle(): Promise<void> {
    clearTimeout(this.#idle);
    const handle = this.#handle;
    this.#handle = undefined;
    await handle?.close().catch(() => undefined);
  }

  /** Writes the whole list as the snapshot and empties the journal (new wallets, compaction). */
  async compact(file: AddressesFile): Promise<void> {
    await this.#closeHandle();
    await this.store.write(this.snapshotPath, file);
    this.#snapshotBytes = await stat(this.snapshotPath).then(
      (s) => s.size,
      () => 0,
    );
    await unlink(this.logPath).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'ENOENT') throw err;
    });
    this.#logBytes = 0;
    this.#torn = false;
  }

  /** Removes the snapshot (with its backup) and the journal. */
  async delete(): Promise<void> {
    await this.#closeHandle();
    await this.store.delete(this.snapshotPath);
    await unlink(this.logPath).catch(() => undefined);
  }
}
