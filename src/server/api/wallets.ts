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
 * `from` may reach at most the end of the derived addresses, so one request derives at most
 * `count` new ones. Errors are `{error: {code, message, hint}}` from the app's error handler, and a
 * refused request writes nothing.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Specter } from '../../specter/index.js';
import type { Wallet } from '../../managers/wallets/index.js';
import { MAX_ADDRESS_PAGE } from '../../managers/wallets/index.js';
import { SpecterError } from '../../errors/index.js';
import { isNetworkName, type NetworkName } from '../../bitcoin/index.js';
import { policyText, SCRIPT_TYPE_NAMES } from '../routes/wallets-view.js';

const ADDRESS_QUERY = new Set(['change', 'from', 'count']);
const DEFAULT_COUNT = 100;

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

/** A query value that must be a whole number written in digits; `undefined` when absent. */
function queryInt(query: Record<string, unknown>, name: string): number | undefined {
  const raw = query[name];
  if (raw === undefined) return undefined;
  if (typeof raw !== 'string') throw invalid(name, `"${name}" is given more than once.`, `Send one ${name}=N.`);
  if (!/^\d{1,10}$/.test(raw)) throw invalid(name, `"${name}" must be a whole number ≥ 0, got ${JSON.stringify(raw)}.`);
  return Number(raw);
}

export interface AddressesQuery {
  change: 0 | 1;
  from: number;
  count: number;
}

/** Parses `change`, `from`, `count`; anything else, or a bad value, is a 400 naming it. */
export function parseAddressesQuery(query: unknown): AddressesQuery {
  const q = (query ?? {}) as Record<string, unknown>;
  for (const key of Object.keys(q)) {
    if (!ADDRESS_QUERY.has(key)) throw invalid(key, `Unknown query parameter "${key}".`, 'Use change=0|1, from=N and count=M.');
  }
  let change: 0 | 1 = 0;
  if (q.change !== undefined) {
    if (q.change !== '0' && q.change !== '1') throw invalid('change', `"change" must be 0 (receive) or 1 (change), got ${JSON.stringify(q.change)}.`);
    change = q.change === '1' ? 1 : 0;
  }
  const from = queryInt(q, 'from') ?? 0;
  const count = queryInt(q, 'count') ?? DEFAULT_COUNT;
  if (count > MAX_ADDRESS_PAGE) {
    throw new SpecterError('LIMIT_EXCEEDED', `At most ${MAX_ADDRESS_PAGE} addresses can be listed at once; ${count} were requested.`, {
      hint: `Ask for pages of up to ${MAX_ADDRESS_PAGE} (from=0, then from=${MAX_ADDRESS_PAGE}, …).`,
      details: { count, limit: MAX_ADDRESS_PAGE },
    });
  }
  if (count < 1) throw invalid('count', '"count" must be at least 1.');
  return { change, from, count };
}

interface CreateBody {
  name?: unknown;
  descriptor?: unknown;
  label?: unknown;
  network?: unknown;
  blockheight?: unknown;
  devices?: unknown;
}

async function createWallet(specter: Specter, request: FastifyRequest): Promise<Wallet> {
  const body = request.body as CreateBody | undefined;
  if (!body || typeof body !== 'object' || Array.isArray(body)) {
    throw new SpecterError('BAD_REQUEST', 'The body must be a JSON object.', { hint: 'Send {"name": …, "descriptor": …} or a Specter wallet backup JSON with Content-Type: application/json.' });
  }
  if (typeof body.descriptor !== 'string' || !body.descriptor.trim()) {
    throw invalid('descriptor', '"descriptor" is missing.', 'Send {"name": …, "descriptor": "wsh(sortedmulti(…))"} or a Specter backup JSON.');
  }
  let network: NetworkName | undefined;
  if (body.network !== undefined) {
    if (!isNetworkName(body.network)) throw invalid('network', `"network" must be main, test, signet or regtest, got ${JSON.stringify(body.network)}.`);
    network = body.network;
  }
  const wallets = specter.walletManager;
  const isBackup = body.name === undefined && (body.label !== undefined || body.devices !== undefined);
  if (isBackup) return wallets.importBackup(body as object, network ? { network } : {});
  if (typeof body.name !== 'string') throw invalid('name', '"name" is missing.', 'Give the wallet a name.');
  const blockheight = body.blockheight === undefined ? {} : { blockheight: body.blockheight as number };
  return wallets.importDescriptor(body.descriptor, { name: body.name, ...(network ? { network } : {}), ...blockheight });
}

export function registerWalletApi(api: FastifyInstance, specter: Specter): void {
  const wallets = specter.walletManager;
  const walletOf = (request: FastifyRequest) => wallets.get((request.params as { alias: string }).alias);

  api.get('/wallets', async () => ({ wallets: (await wallets.list()).map(summary) }));

  api.post('/wallets', async (request, reply) => {
    const wallet = await createWallet(specter, request);
    reply.code(201);
    return { wallet: detail(wallet) };
  });

  api.get('/wallets/:alias', async (request) => ({ wallet: detail(await walletOf(request)) }));

  api.get('/wallets/:alias/addresses', async (request) => {
    const q = parseAddressesQuery(request.query);
    const wallet = await walletOf(request);
    const derived = q.change ? wallet.toJSON().change_keypool : wallet.toJSON().keypool;
    if (q.from > derived) {
      throw invalid('from', `"from" is ${q.from}, beyond the ${derived} derived ${q.change ? 'change' : 'receive'} addresses.`, `Page forward from=${derived}; each request derives at most count new addresses.`);
    }
    const list = await wallet.addresses(q.change, q.from, q.count);
    return {
      wallet: wallet.alias,
      change: q.change,
      from: q.from,
      count: list.length,
      addresses: list.map((a) => ({ index: a.index, address: a.address, label: a.label, used: a.used, service_id: a.serviceId })),
    };
  });

  api.post('/wallets/:alias/receive', async (request) => {
    const wallet = await walletOf(request);
    const address = await wallet.getNewAddress();
    const info = wallet.getAddressInfo(address);
    return { wallet: wallet.alias, address, index: info.index, label: info.label };
  });
}
