import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Specter } from '../../specter/index.js';
import type { Extension } from '../../extensions/index.js';
import type { UserServiceData } from '../../extensions/storage/index.js';
import { SpecterError, isSpecterError } from '../../errors/index.js';
import { unwrapUserSecret, type WrappedUserSecret } from '../../persistence/index.js';
import type { User } from '../../managers/users/index.js';
import { CredentialCache } from './credential-cache.js';

/**
 * Largest accepted PUT body. An extension's data is one entry of the user's service file and every
 * write rewrites that whole file (all extensions) under its lock, so it is meant for settings and
 * small state, not blobs; Fastify answers 413 above this.
 */
export const EXTENSION_DATA_BODY_LIMIT = 512 * 1024;

/**
 * `GET|PUT /api/v1/extensions/:id/data`: the authenticated user's data of one extension, for
 * scripts and backups. GET answers the data object itself (`{}` when there is none), and PUT takes
 * that same object and replaces the stored data with it (`{}` removes the entry), so
 * `GET > backup.json` and `PUT < backup.json` round-trip.
 *
 * The store is picked by the extension's `encryptData`, as for the extension itself. For an
 * encrypted extension the HTTP Basic password of this request unlocks the user secret for this
 * request only: it is unwrapped from users.json and handed to `storage.withSecret`, never put in
 * the vault (an API call must not leave the user's data unlocked for the web UI, and the vault
 * must not outlive the request it was unlocked for).
 *
 * Which extensions: any loaded one, whether or not the user activated it (and even while it is
 * switched off after errors, since no extension code runs here). A restore script has to be able
 * to put the data back before the extension is activated again, and activation is a UI choice,
 * not an access right: the data belongs to the user either way. An unknown or not-loaded id is
 * 404 EXT_NOT_FOUND: without its manifest we cannot know which store it uses.
 */
export function registerExtensionDataApi(api: FastifyInstance, specter: Specter): void {
  const unwrap = secretUnwrapper(Number(specter.config.API_BASIC_CACHE_TTL) * 1000);
  api.get('/extensions/:id/data', async (request, reply) => {
    const ext = loadedExtension(specter, request);
    const data = await userData(specter, request, ext, unwrap);
    reply.header('cache-control', 'no-store');
    return data.get(ext.id, ext.manifest.encryptData);
  });

  api.put('/extensions/:id/data', { bodyLimit: EXTENSION_DATA_BODY_LIMIT }, async (request, reply) => {
    const ext = loadedExtension(specter, request);
    const body = checkBody(request, ext.id);
    const data = await userData(specter, request, ext, unwrap);
    await data.set(ext.id, ext.manifest.encryptData, body);
    reply.header('cache-control', 'no-store');
    return data.get(ext.id, ext.manifest.encryptData);
  });
}

function loadedExtension(specter: Specter, request: FastifyRequest): Extension {
  const { id } = request.params as { id: string };
  const ext = specter.extensionManager.get(id);
  if (!ext) {
    throw new SpecterError('EXT_NOT_FOUND', `No loaded extension "${id}".`, {
      hint: 'GET /api/v1/extensions lists the extensions and their ids; only loaded ones have data routes.',
      details: { extensionId: id },
    });
  }
  return ext;
}

/** The body as the extension's new data: a plain JSON object, sent as JSON. Checked before anything is unlocked or written. */
function checkBody(request: FastifyRequest, extId: string): Record<string, unknown> {
  const type = String(request.headers['content-type'] ?? '');
  if (!/^application\/json\s*(;|$)/i.test(type)) {
    throw new SpecterError('VALIDATION', `The data of extension "${extId}" must be sent as JSON (Content-Type: application/json).`, {
      hint: 'Send the JSON object that GET returned, e.g. curl -X PUT -H "Content-Type: application/json" --data @backup.json …',
      details: { field: 'body' },
    });
  }
  const body: unknown = request.body;
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    const got = body === null ? 'null' : Array.isArray(body) ? 'an array' : `a ${typeof body}`;
    throw new SpecterError('VALIDATION', `The data of extension "${extId}" must be a JSON object, got ${got}.`, {
      hint: 'Send an object such as {"wallet": "w1"}; send {} to remove the data.',
      details: { field: 'body' },
    });
  }
  return body as Record<string, unknown>;
}

/**
 * The user's data, ready for this extension's store. Unencrypted: the user alone is enough.
 * Encrypted: the secret is unwrapped with this request's password; it lives in the returned
 * object, which is dropped with the request.
 */
/**
 * Unwrapping the user secret is a 390k-iteration PBKDF2 (~0.3 s of CPU). Without a cache every
 * call of this API paid it, and one client looping over it kept the derivation worker busy for
 * everyone. So an unwrapped secret is kept in memory only (never on disk, never in the vault the
 * web UI uses) for `ttlMs`, keyed by an HMAC of the user, the wrapped record and the password;
 * concurrent calls with the same credentials share one unwrap. A new password (a new wrapped
 * record) misses the cache.
 */
export type SecretUnwrapper = (user: User, wrapped: WrappedUserSecret, password: string) => Promise<string>;

export function secretUnwrapper(ttlMs: number, now: () => number = Date.now): SecretUnwrapper {
  const cache = new CredentialCache<string>(ttlMs, 100, now);
  return async (user, wrapped, password) => {
    const key = cache.keyOf(user.id, wrapped.token, wrapped.salt, String(wrapped.iterations), password);
    const cached = cache.get(key);
    if (cached !== undefined) return cached;
    // needsRewrap is ignored on purpose: the API does not rewrite users.json; the next UI login does.
    const secret = await cache.once(key, async () => (await unwrapUserSecret(wrapped, password)).secret);
    cache.set(key, secret);
    return secret;
  };
}

async function userData(specter: Specter, request: FastifyRequest, ext: Extension, unwrap: SecretUnwrapper): Promise<UserServiceData> {
  const user = request.user;
  if (!user) throw new SpecterError('AUTH_REQUIRED', 'This API needs HTTP Basic authentication.');
  const storage = specter.services.storage;
  if (!ext.manifest.encryptData) return storage.forUser(user);

  if (specter.authMethod === 'none') {
    throw new SpecterError(
      'USER_SECRET_UNAVAILABLE',
      `Extension "${ext.id}" keeps its data encrypted, and authentication is set to "none": without a password there is no user secret to decrypt it with.`,
      {
        hint: 'Choose a password-based method in Settings → Authentication (encrypted data is emptied when switching to "none"), then call the API with HTTP Basic.',
        details: { extensionId: ext.id },
      },
    );
  }
  if (request.apiToken) {
    throw new SpecterError(
      'AUTH_FORBIDDEN',
      `Extension "${ext.id}" keeps its data encrypted, and an API token cannot unlock it: only the password can.`,
      {
        hint: 'Call this route with HTTP Basic (username and password) instead of the token.',
        details: { extensionId: ext.id },
      },
    );
  }
  const wrapped = user.record.encrypted_user_secret;
  const password = request.apiPassword;
  if (!wrapped) {
    throw new SpecterError(
      'USER_SECRET_UNAVAILABLE',
      `User "${user.username}" has no user secret yet, so there is no encrypted data of extension "${ext.id}" and none can be written.`,
      {
        hint: 'Log in once through the web UI with this password: that creates the user secret. Then retry.',
        details: { extensionId: ext.id, userId: user.id },
      },
    );
  }
  if (password === undefined) throw new SpecterError('AUTH_REQUIRED', 'This API needs HTTP Basic authentication.');
  let secret: string;
  try {
    secret = await unwrap(user, wrapped, password);
  } catch (err) {
    // Only a failed decryption means a damaged record (a full derivation queue is not one).
    if (!isSpecterError(err, 'CRYPTO_INVALID_TOKEN') && !isSpecterError(err, 'CRYPTO_BAD_KEY')) throw err;
    // The password matched its hash (HTTP Basic checked it), so the wrapped secret is what is wrong.
    throw new SpecterError(
      'DATA_FILE_CORRUPT',
      `The user secret of "${user.username}" in users.json does not open with the password that matches its password hash.`,
      {
        hint: 'users.json is left untouched. Restore users.json.bkp, or compare it with a backup.',
        details: { userId: user.id },
        cause: err,
      },
    );
  }
  return storage.withSecret(user, secret);
}
