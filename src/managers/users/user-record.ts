import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { SpecterError } from '../../errors/index.js';
import type { UserRecord } from './user.js';

export interface EncryptedUserSecret {
  token: string;
  salt: string;
  iterations: number;
}

const passwordSchema = z.object({ salt: z.string().min(1), pwdhash: z.string().min(1) });
const secretSchema = z.object({ token: z.string().min(1), salt: z.string().min(1), iterations: z.number().int().positive() });

/** Specter's users.json record; unknown fields (Specter's `config`, …) are kept as they are. */
const userRecordSchema = z.looseObject({
  id: z.string().min(1),
  username: z.string().min(1),
  password: passwordSchema.nullable().optional(),
  is_admin: z.boolean().optional(),
  jwt_tokens: z.record(z.string(), z.unknown()).optional(),
  encrypted_user_secret: secretSchema.nullable().optional(),
  services: z.array(z.string()).optional(),
  services_removed: z.array(z.string()).optional(),
  session_epoch: z.number().int().nonnegative().optional(),
  creation_id: z
    .string()
    .regex(/^[0-9a-f]{16}$/)
    .optional(),
});

/** Validates users.json content, naming the file and the bad entry. */
export function parseUsersFile(data: unknown, filePath: string): UserRecord[] {
  if (!Array.isArray(data)) {
    throw new SpecterError('DATA_FILE_CORRUPT', `${filePath} must hold a JSON array of users.`, {
      hint: 'Restore it from users.json.bkp or remove it to start with a fresh admin user.',
      details: { path: filePath },
    });
  }
  return data.map((entry, i) => {
    const parsed = userRecordSchema.safeParse(entry);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new SpecterError('DATA_FILE_CORRUPT', `${filePath}: user #${i} field "${issue?.path.join('.')}" is invalid (${issue?.message}).`, {
        hint: 'Fix that entry or restore users.json.bkp.',
        details: { path: filePath, index: i },
      });
    }
    const r = parsed.data;
    return {
      ...r,
      password: r.password ?? null,
      is_admin: r.is_admin ?? false,
      encrypted_user_secret: r.encrypted_user_secret ?? null,
      services: r.services ?? [],
    } as UserRecord;
  });
}

const USERNAME_RE = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

/** Usernames are restricted to what is safe in a file name on every file system (ids are made from them). */
export function validateUsername(username: string): string {
  const trimmed = username.trim();
  if (!USERNAME_RE.test(trimmed)) {
    throw new SpecterError('USER_INVALID', `Username "${username}" is not allowed.`, {
      hint: 'Use 1–64 letters, digits, ".", "_" or "-", starting with a letter or digit.',
    });
  }
  return trimmed;
}

/** 16 random hex digits: a user record's creation id. */
export function newCreationId(): string {
  return randomBytes(8).toString('hex');
}

/**
 * A user id as one harmless path component, for the per-user folders (`wallets_<id>`,
 * `users/<id>/`). Ids of users created here are usernames (already restricted); ids from a
 * Specter Desktop users.json may hold more, so only what could leave the folder is refused.
 */
export function checkUserId(id: unknown): string {
  if (typeof id !== 'string' || id.length === 0 || id.length > 200 || id === '.' || id === '..' || /[/\\\0]/.test(id)) {
    throw new SpecterError('USER_INVALID', `User id ${JSON.stringify(id)} cannot name a data folder.`, {
      hint: 'Fix the "id" of that user in users.json: letters, digits, ".", "_" or "-".',
      details: { field: 'id' },
    });
  }
  return id;
}
