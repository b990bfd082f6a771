import { stat } from 'node:fs/promises';
import { isPlainObject } from './service-file.js';
import { legacyServiceFiles, userServiceFiles, VERSION_FIELD } from './names.js';
import type { StorageFiles } from './lifecycle.js';

/**
 * Specter Desktop kept a user's extension data in `<data>/<username>_services.json` (Fernet
 * tokens) and `<data>/<username>_unencrypted_services.json` (JSON text). Those names collide:
 * the encrypted file of user `bob_unencrypted` is the unencrypted file of user `bob`. Specter TS
 * keeps them in a folder per user (names.ts); this copies the old files there once.
 *
 * Rules:
 * - only users whose records come from before (the caller passes them: records that had no
 *   creation id yet), so a user created later never picks up a file Specter left behind for a
 *   deleted user of the same name;
 * - a copy, never a move: the originals stay for Specter Desktop; a target that exists is never
 *   overwritten;
 * - a file two users could own (`X_unencrypted_services.json` with users `X` and
 *   `X_unencrypted`) is given by its content: Fernet tokens make it an encrypted file, JSON text an
 *   unencrypted one. When the content does not tell, neither user gets it (it stays where it is,
 *   and the log says so). Content of the other kind is never copied, even without a rival user:
 *   it is then the file of a user Specter deleted.
 */

export interface LegacyMigrationReport {
  migrated: { from: string; to: string }[];
  skipped: { file: string; reason: string }[];
}

type Kind = 'encrypted' | 'unencrypted';
type Content = Kind | 'empty' | 'unknown';

const FERNET_TEXT = /^[A-Za-z0-9_-]+={0,2}$/;

/** A Fernet token: base64url of 0x80 ‖ time(8) ‖ IV(16) ‖ ciphertext(16·k, k ≥ 1) ‖ HMAC(32). */
export function looksLikeFernetToken(value: unknown): boolean {
  if (typeof value !== 'string' || !FERNET_TEXT.test(value)) return false;
  const bytes = Buffer.from(value, 'base64url');
  return bytes.length >= 73 && (bytes.length - 57) % 16 === 0 && bytes[0] === 0x80;
}

function looksLikeJsonObjectText(value: unknown): boolean {
  if (typeof value !== 'string') return false;
  try {
    return isPlainObject(JSON.parse(value));
  } catch {
    return false;
  }
}

/** What a service file's entries are (null entries say nothing: Specter skips them). */
export function classifyServiceFile(raw: unknown): Content {
  if (!isPlainObject(raw)) return 'unknown';
  const entries = Object.entries(raw)
    .filter(([k, v]) => k !== VERSION_FIELD && v !== null)
    .map(([, v]) => v);
  if (entries.length === 0) return 'empty';
  if (entries.every(looksLikeFernetToken)) return 'encrypted';
  if (entries.every(looksLikeJsonObjectText)) return 'unencrypted';
  return 'unknown';
}

const exists = (path: string) =>
  stat(path).then(
    () => true,
    () => false,
  );

/**
 * Copies the legacy service files of `users` into their folders. `allUsernames` are every user's
 * names (to see which file names two users could claim). Never throws for one file: what could
 * not be copied is reported and logged, and its original is still in place.
 */
export async function migrateLegacyServiceFiles(
  ctx: StorageFiles,
  users: readonly { readonly username: string }[],
  allUsernames: readonly string[],
): Promise<LegacyMigrationReport> {
  const report: LegacyMigrationReport = { migrated: [], skipped: [] };
  // Which (user, kind) pairs each legacy file name stands for.
  const claims = new Map<string, string[]>();
  for (const name of allUsernames) {
    let files: ReturnType<typeof legacyServiceFiles>;
    try {
      files = legacyServiceFiles(ctx.dataFolder, name);
    } catch {
      continue; // a name that cannot name a file has no legacy file either
    }
    for (const kind of ['encrypted', 'unencrypted'] as const) claims.set(files[kind], [...(claims.get(files[kind]) ?? []), `${name}:${kind}`]);
  }
  for (const user of users) {
    let from: ReturnType<typeof legacyServiceFiles>;
    let to: ReturnType<typeof legacyServiceFiles>;
    try {
      from = legacyServiceFiles(ctx.dataFolder, user.username);
      to = userServiceFiles(ctx.dataFolder, user.username);
    } catch (err) {
      report.skipped.push({ file: user.username, reason: (err as Error).message });
      continue;
    }
    for (const kind of ['encrypted', 'unencrypted'] as const) {
      const source = from[kind];
      const target = to[kind];
      if ((await exists(target)) || (await exists(`${target}.bkp`))) continue;
      if (!(await exists(source)) && !(await exists(`${source}.bkp`))) continue;
      const skip = (reason: string) => report.skipped.push({ file: source, reason });
      let raw: unknown;
      try {
        raw = await ctx.store.read<unknown>(source);
      } catch (err) {
        skip(`it cannot be read: ${(err as Error).message}`);
        continue;
      }
      if (raw === undefined) continue;
      const content = classifyServiceFile(raw);
      const rivals = (claims.get(source) ?? []).filter((c) => c !== `${user.username}:${kind}`);
      const other: Kind = kind === 'encrypted' ? 'unencrypted' : 'encrypted';
      if (content === other) {
        skip(`it holds ${other} entries, so it is not the ${kind} file of user "${user.username}"`);
      } else if (rivals.length > 0 && content !== kind) {
        const owners = [user.username, ...rivals.map((r) => r.split(':')[0])].map((n) => `"${n}"`).join(' and ');
        skip(`users ${owners} could both own it and its ${content} content does not tell whose it is`);
      } else {
        await ctx.store.write(target, raw);
        report.migrated.push({ from: source, to: target });
      }
    }
  }
  for (const m of report.migrated) {
    ctx.logger?.info({ from: m.from, to: m.to }, 'Specter extension data file copied to its user folder (the original is kept)');
  }
  for (const s of report.skipped) ctx.logger?.warn({ file: s.file, reason: s.reason }, 'Specter extension data file not copied');
  return report;
}
