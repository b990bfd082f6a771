/**
 * The wallets JSON API, inside the `/api/v1` scope (HTTP Basic is checked there):
 *
 *   GET  /api/v1/wallets                                 → { wallets: [summary…] }
 *   POST /api/v1/wallets        {name, descriptor}       → 201 { wallet: detail }
 *                               or a Specter backup JSON {label, descriptor, devices?, blockheight?}
 *   GET  /api/v1/wallets/:alias                          → { wallet: detail }
 *   GET  /api/v1/wallets/:alias/addresses?change=0|1&from=N&count=M
 *                                                        → { addresses: [{index, address, label, used, service_id}], … }
 *   POST /api/v1/wallets/:alias/receive                  → { address, index, label } (next address, reserved ones skipped)
 *
 * Every query value is validated (unknown parameters too); `count` over 1,000 is LIMIT_EXCEEDED;
 * `from` may be any index up to 2147483647 (the last unhardened BIP-32 index): addresses past the
 * ones the wallet keeps are derived for the answer and not stored (`used: false`, the default
 * label, no service_id), so listing never writes. Errors are `{error: {code, message, hint}}`
 * from the app's error handler, and a refused request writes nothing.
 */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Specter } from '../../specter/index.js';
import type { Wallet } from '../../managers/wallets/index.js';
import { MAX_ADDRESS_PAGE } from '../../managers/wallets/index.js';
import { SpecterError } from '../../errors/index.js';
import type { NetworkName } from '../../bitcoin/index.js';
import { policyText, SCRIPT_TYPE_NAMES } from '../routes/wallets-view.js';
import { linkNewWallet } from '../chain-link.js';

const DEFAULT_COUNT = 100;
const NETWORKS = ['main', 'test', 'signet', 'regtest'] as const satisfies readonly NetworkName[];

function summary(wallet: Wallet) {
  const d = wallet.descriptor;
  return {
    alias: wallet.alias,
    name: wallet.name,
    type: d.kind,
    script_type: d.scriptType,
    policy: policyText(wallet),
    network: wallet.network,
    address_index: wallet.addressIndex,
  };
}

function detail(wallet: Wallet) {
  const d = wallet.descriptor;
  const r = wallet.toJSON();
  return {
    ...summary(wallet),
    descriptor: d.multipathDescriptor ?? d.descriptor,
    receive_descriptor: d.receiveDescriptor,
    change_descriptor: d.changeDescriptor,
    script_type_name: SCRIPT_TYPE_NAMES[d.scriptType],
    threshold: d.threshold,
    keys: d.keys.map((k) => ({ fingerprint: k.fingerprint, derivation: k.originPath, xpub: k.xpub })),
    devices: [...wallet.devices],
    change_index: wallet.changeIndex,
    keypool: r.keypool,
    change_keypool: r.change_keypool,
    blockheight: wallet.blockheight,
  };
}

function invalid(field: string, message: string, hint?: string): SpecterError {
  return new SpecterError('VALIDATION', message, { hint, details: { field } });
}

/** A query value written in digits; a repeated parameter is named as such. */
function wholeNumber(name: string) {
  return z
    .string({ error: (issue) => (Array.isArray(issue.input) ? `"${name}" is given more than once; send one ${name}=N.` : undefined) })
    .regex(/^\d{1,10}$/, `"${name}" must be a whole number ≥ 0.`)
    .transform(Number);
}

/** `change`, `from`, `count`; anything else, or a bad value, is a 400 naming it. */
export const addressesQuery = z.strictObject(
  {
    change: z
      .enum(['0', '1'], { error: '"change" must be 0 (receive) or 1 (change), once.' })
      .default('0')
      .transform((v): 0 | 1 => (v === '1' ? 1 : 0)),
    from: wholeNumber('from').default(0),
    count: wholeNumber('count')
      .default(DEFAULT_COUNT)
      .refine((n) => n >= 1, '"count" must be at least 1.'),
  },
  {
    error: (issue) =>
      issue.code === 'unrecognized_keys' ? `Unknown query parameter "${issue.keys[0]}"; use change=0|1, from=N and count=M.` : undefined,
  },
);
export type AddressesQuery = z.infer<typeof addressesQuery>;

/**
 * `{name, descriptor, network?, blockheight?}`, or a Specter wallet backup JSON (`label`,
 * `descriptor`, `devices`, `blockheight`, …), which the wallet manager checks field by field.
 */
const createWalletBody = z.looseObject(
  {
    name: z.string().optional(),
    label: z.unknown().optional(),
    devices: z.unknown().optional(),
    descriptor: z
      .string({ error: '"descriptor" is missing: send {"name": …, "descriptor": "wsh(sortedmulti(…))"} or a Specter backup JSON.' })
      .trim()
      .min(1, '"descriptor" is empty.'),
    network: z.enum(NETWORKS, { error: '"network" must be main, test, signet or regtest.' }).optional(),
    blockheight: z.number().int().nonnegative().optional(),
  },
  { error: 'The body must be a JSON object: {"name": …, "descriptor": …} or a Specter wallet backup JSON, with Content-Type: application/json.' },
);

const aliasParams = z.object({ alias: z.string().min(1) });

export function registerWalletApi(scope: FastifyInstance, specter: Specter): void {
  const api = scope.withTypeProvider<ZodTypeProvider>();
  // The current user's wallet manager, looked up per request.
  const walletOf = (request: { params: { alias: string } }) => specter.walletManager.get(request.params.alias);

  api.get('/wallets', async () => ({ wallets: (await specter.walletManager.list()).map(summary) }));

  api.post('/wallets', { schema: { body: createWalletBody } }, async (request, reply) => {
    const { name, network, blockheight, ...rest } = request.body;
    const wallets = specter.walletManager;
    const isBackup = name === undefined && (rest.label !== undefined || rest.devices !== undefined);
    let wallet: Wallet;
    if (isBackup) wallet = await wallets.importBackup(request.body, network ? { network } : {});
    else if (name === undefined) throw invalid('name', '"name" is missing.', 'Give the wallet a name.');
    else
      wallet = await wallets.importDescriptor(rest.descriptor, {
        name,
        ...(network && { network }),
        ...(blockheight !== undefined && { blockheight }),
      });
    linkNewWallet(specter, request.user!, wallet.alias);
    reply.code(201);
    return { wallet: detail(wallet) };
  });

  api.get('/wallets/:alias', { schema: { params: aliasParams } }, async (request) => ({ wallet: detail(await walletOf(request)) }));

  api.get('/wallets/:alias/addresses', { schema: { params: aliasParams, querystring: addressesQuery } }, async (request) => {
    const q = request.query;
    if (q.count > MAX_ADDRESS_PAGE) {
      throw new SpecterError('LIMIT_EXCEEDED', `At most ${MAX_ADDRESS_PAGE} addresses can be listed at once; ${q.count} were requested.`, {
        hint: `Ask for pages of up to ${MAX_ADDRESS_PAGE} (from=0, then from=${MAX_ADDRESS_PAGE}, …).`,
        details: { count: q.count, limit: MAX_ADDRESS_PAGE },
      });
    }
    const wallet = await walletOf(request);
    const list = await wallet.addresses(q.change, q.from, q.count);
    return {
      wallet: wallet.alias,
      change: q.change,
      from: q.from,
      count: list.length,
      addresses: list.map((a) => ({ index: a.index, address: a.address, label: a.label, used: a.used, service_id: a.serviceId })),
    };
  });

  api.post('/wallets/:alias/receive', { schema: { params: aliasParams } }, async (request) => {
    const wallet = await walletOf(request);
    const address = await wallet.getNewAddress();
    const info = wallet.getAddressInfo(address);
    return { wallet: wallet.alias, address, index: info.index, label: info.label };
  });
}
