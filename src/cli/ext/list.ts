import { loadConfig } from '../../config/index.js';
import { isSpecterError } from '../../errors/index.js';
import type { ExtensionStatusInfo } from '../../extensions/index.js';
import { createLogger } from '../../log/index.js';
import { Specter } from '../../specter/index.js';

/**
 * `specter ext list`: boots the app root (config, data folder, managers, extension manager — no
 * HTTP server, no scheduler jobs) exactly as `specter server` would with the same flags, and prints
 * what became of every extension found: one status each, with the reason when it is not loaded.
 */
export interface ExtListOptions {
  config?: string;
  dataFolder?: string;
  /** Extra EXTENSION_LIST entries (package folders or names), like `specter server --extension`. */
  extension?: string[];
  devstatusThreshold?: string;
  json?: boolean;
}

export interface ExtListIo {
  output?: NodeJS.WritableStream;
  errorOutput?: NodeJS.WritableStream;
  env?: NodeJS.ProcessEnv;
  /** Where startup logs go (default: nowhere; warnings are in the table's "reason" column). */
  logLevel?: string;
}

export const LIST_COLUMNS = ['id', 'name', 'version', 'source', 'devstatus', 'signature', 'status', 'reason'] as const;

/** A plain-text table; the last column (reason) is not padded. */
export function formatStatusTable(rows: readonly ExtensionStatusInfo[]): string {
  if (rows.length === 0) return 'No extensions found.\n';
  const cells = rows.map((r) => [
    r.id ?? '-',
    r.name,
    r.version ?? '-',
    r.source,
    r.devstatus ?? '-',
    r.source === 'builtin' ? 'built in' : r.signer ? `signed by ${r.signer}` : 'unsigned',
    r.tripped ? `${r.status} (switched off)` : r.status,
    r.tripped ? `switched off after ${r.errorCount} errors; re-enable it in "Choose plugins"` : r.reason || '',
  ]);
  const header = LIST_COLUMNS.map((c) => c.toUpperCase());
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((row) => row[i]!.length)));
  const line = (row: readonly string[]) =>
    row
      .map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return `${[line(header), ...cells.map(line)].join('\n')}\n`;
}

/** Loads the extensions for the given config and returns their statuses. */
export async function listExtensions(opts: ExtListOptions, io: ExtListIo = {}): Promise<ExtensionStatusInfo[]> {
  const { config, chain } = loadConfig(opts.config ?? 'ProductionConfig', {
    env: io.env ?? process.env,
    overrides: { SPECTER_DATA_FOLDER: opts.dataFolder, SERVICES_DEVSTATUS_THRESHOLD: opts.devstatusThreshold },
  });
  if (opts.extension?.length) config.EXTENSION_LIST = [...config.EXTENSION_LIST, ...opts.extension];
  const logger = createLogger({ level: io.logLevel ?? 'silent', destination: process.stderr });
  const specter = await Specter.create({ config, configChain: chain, logger });
  try {
    return specter.extensionManager.statuses();
  } finally {
    await specter.close();
  }
}

/** The CLI command. Returns the exit code (0 even when some extension did not load: that is the news). */
export async function runExtList(opts: ExtListOptions, io: ExtListIo = {}): Promise<number> {
  const out = io.output ?? process.stdout;
  const err = io.errorOutput ?? process.stderr;
  try {
    const rows = await listExtensions(opts, io);
    out.write(opts.json ? `${JSON.stringify(rows, null, 2)}\n` : formatStatusTable(rows));
    return 0;
  } catch (e) {
    if (isSpecterError(e)) {
      err.write(`specter ext list: ${e.message}\n${e.hint ? `  ${e.hint}\n` : ''}`);
      return 1;
    }
    err.write(`specter ext list: ${(e as Error).stack ?? String(e)}\n`);
    return 1;
  }
}
