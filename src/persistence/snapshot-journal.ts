/**
 * A big record kept as a snapshot plus a journal: `<name>.json` (written whole, atomically, by
 * JsonFileStore with its `.bkp`) and `<name>.log`, one JSON line per save holding only what that
 * save changed. The caller says what a line means (how to check and replay it); this class owns
 * the files, the crash rules and when to compact.
 *
 * Why: rewriting the whole record on every change costs O(size) per change — a label at 100,000
 * addresses was a 10 MB write, one new transaction in a 10,000-transaction history a 5 MB one.
 * Now a change costs the size of the change: one appended, fsynced line. When the journal outgrows
 * the snapshot (and at least COMPACT_MIN_BYTES), the whole record is written as a new snapshot and
 * the journal emptied, so the amortised cost per change stays constant.
 *
 * Crash safety (kill -9 at any point):
 * - an append that was cut off leaves a torn last line, which is skipped (the save it belonged to
 *   never returned, so nothing acknowledged is lost) and the next save compacts instead of
 *   appending after it;
 * - compaction writes the snapshot atomically before it empties the journal; a crash between the
 *   two replays lines the snapshot already has, so every line must set whole values (idempotent);
 * - any other unreadable line is the caller's DATA_FILE_CORRUPT naming the file and line: never
 *   skipped silently.
 */
import { open, readFile, stat, unlink } from 'node:fs/promises';
import type { SpecterError } from '../errors/index.js';
import type { JsonFileStore } from './json-file-store.js';

/** The journal is compacted once it is larger than the snapshot and at least this big. */
export const COMPACT_MIN_BYTES = 256 * 1024;

export interface SnapshotJournalOptions<Line> {
  /** Checks one parsed journal line; throws (e.g. `corrupt(…)`) when it has the wrong shape. */
  parseLine(json: unknown, lineNumber: number): Line;
  /** The error for a line that is not JSON or has the wrong shape. */
  corrupt(logPath: string, lineNumber: number, why: string): SpecterError;
}

export class SnapshotJournal<Line> {
  readonly logPath: string;
  #logBytes = 0;
  #snapshotBytes = 0;
  #torn = false;

  constructor(
    private readonly store: JsonFileStore,
    readonly snapshotPath: string,
    private readonly options: SnapshotJournalOptions<Line>,
  ) {
    this.logPath = `${snapshotPath.replace(/\.json$/, '')}.log`;
  }

  /** The snapshot as stored (unchecked) and the journal's lines after it; undefined when neither exists. */
  async read(): Promise<{ snapshot: unknown; lines: Line[] } | undefined> {
    const snapshot = await this.store.read<unknown>(this.snapshotPath);
    this.#snapshotBytes = snapshot === undefined ? 0 : await fileSize(this.snapshotPath);
    let text: string;
    try {
      text = await readFile(this.logPath, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      text = '';
    }
    this.#logBytes = Buffer.byteLength(text);
    if (snapshot === undefined && !text) return undefined;
    // Every complete line ends in "\n"; what follows the last one is a torn line whose save never
    // completed (and never returned), so it is skipped — and must not have more appended to it.
    const raw = text.split('\n');
    this.#torn = raw.at(-1) !== '';
    const lines: Line[] = [];
    for (let i = 0; i < raw.length - 1; i++) {
      if (!raw[i]!.trim()) continue;
      let json: unknown;
      try {
        json = JSON.parse(raw[i]!);
      } catch {
        throw this.options.corrupt(this.logPath, i + 1, 'not JSON');
      }
      lines.push(this.options.parseLine(json, i + 1));
    }
    return { snapshot, lines };
  }

  /** Appends the lines (one fsync); compacts into `whole()` instead when the journal has grown enough. */
  async save(lines: readonly Line[], whole: () => unknown): Promise<void> {
    const text = lines.map((l) => `${JSON.stringify(l)}\n`).join('');
    if (!text) return;
    const bytes = Buffer.byteLength(text);
    if (this.#torn || this.#snapshotBytes === 0 || this.#logBytes + bytes > Math.max(COMPACT_MIN_BYTES, this.#snapshotBytes)) {
      await this.compact(whole());
      return;
    }
    const handle = await open(this.logPath, 'a', 0o600);
    try {
      await handle.appendFile(text);
      await handle.sync();
    } finally {
      await handle.close();
    }
    this.#logBytes += bytes;
  }

  /** Writes the whole record as the snapshot and empties the journal. */
  async compact(whole: unknown): Promise<void> {
    await this.store.write(this.snapshotPath, whole);
    this.#snapshotBytes = await fileSize(this.snapshotPath);
    await unlink(this.logPath).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'ENOENT') throw err;
    });
    this.#logBytes = 0;
    this.#torn = false;
  }

  /** Removes the snapshot (with its backup) and the journal. */
  async delete(): Promise<void> {
    await this.store.delete(this.snapshotPath);
    await unlink(this.logPath).catch(() => undefined);
  }
}

function fileSize(path: string): Promise<number> {
  return stat(path).then(
    (s) => s.size,
    () => 0,
  );
}
