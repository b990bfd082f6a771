/**
 * The nodes JSON API, inside the `/api/v1` scope:
 *
 *   GET  /api/v1/nodes   → { nodes: [{alias, name, type, active, connected, chain, blocks, version, subversion, error}] }
 *   POST /api/v1/nodes   {name, host, port, protocol?, user, password}  or  {name, autodetect: true, datadir?}   (admin)
 *                        → 201 { alias, tests }  after the four connection checks passed;
 *                          else the error of the first failed check, `details.check` naming it
 *
 * Only the active node is polled: the others answer `connected: false` with null chain data and
 * `error: null`. The password is never in an answer.
 */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Specter } from '../../specter/index.js';
import type { ConnectionTestResult, NodeInput } from '../../managers/nodes/index.js';
import { activeNodeState } from '../node-view.js';

const BODY_HELP =
  'Send {"name", "host", "port", "protocol", "user", "password"} or {"name", "autodetect": true, "datadir"} ' +
  'with Content-Type: application/json.';

const manualNode = z.strictObject(
  {
    name: z.string({ error: '"name" is missing.' }),
    autodetect: z.literal(false).optional(),
    host: z.string({ error: '"host" is missing (or send "autodetect": true).' }),
    port: z.union([z.number(), z.string()], { error: '"port" is missing: Core\'s rpcport (regtest 18443, mainnet 8332).' }),
    protocol: z.enum(['http', 'https'], { error: '"protocol" must be "http" or "https".' }).optional(),
    user: z.string({ error: '"user" is missing.' }),
    password: z.string({ error: '"password" is missing.' }),
  },
  { error: (issue) => (issue.code === 'unrecognized_keys' ? `Unknown field "${issue.keys[0]}". ${BODY_HELP}` : undefined) },
);

const autodetectNode = z.strictObject(
  {
    name: z.string({ error: '"name" is missing.' }),
    autodetect: z.literal(true),
    datadir: z.string().optional(),
  },
  {
    error: (issue) =>
      issue.code === 'unrecognized_keys'
        ? `Unknown field "${issue.keys[0]}" with "autodetect": true (only "name" and "datadir"). ${BODY_HELP}`
        : undefined,
  },
);

/** The shape is chosen by `autodetect`, so an error names a field of the shape that was meant. */
const createNodeBody = z.discriminatedUnion('autodetect', [autodetectNode, manualNode], {
  error: (issue) =>
    issue.code === 'invalid_union'
      ? '"autodetect" must be true or false (or absent).'
      : issue.code === 'invalid_type' && issue.path?.length === 0
        ? `The body must be a JSON object. ${BODY_HELP}`
        : undefined,
});

function testsOut(tests: ConnectionTestResult) {
  return {
    ok: tests.ok,
    checks: tests.checks.map((c) => ({ name: c.name, label: c.label, ok: c.ok, message: c.message })),
    chain: tests.info?.chain ?? null,
    blocks: tests.info?.blocks ?? null,
    version: tests.info?.version ?? null,
  };
}

export function registerNodeApi(scope: FastifyInstance, specter: Specter): void {
  const api = scope.withTypeProvider<ZodTypeProvider>();
  const nodes = () => specter.nodeManager;

  api.get('/nodes', async () => {
    const active = await nodes().activeAlias();
    const state = await activeNodeState(specter);
    const status = nodes().status();
    return {
      nodes: (await nodes().list()).map((n) => {
        const isActive = n.alias === active && state.alias === n.alias;
        return {
          alias: n.alias,
          name: n.name,
          type: n.type,
          active: n.alias === active,
          connected: isActive ? state.connected : false,
          chain: isActive ? state.chain : null,
          blocks: isActive ? state.blocks : null,
          version: isActive ? status.version : null,
          subversion: isActive ? state.subversion : null,
          error: isActive ? state.error : null,
        };
      }),
    };
  });

  api.post('/nodes', { schema: { body: createNodeBody }, config: { access: 'admin' } }, async (request, reply) => {
    const body = request.body;
    const input: NodeInput =
      body.autodetect === true
        ? { name: body.name, autodetect: true, ...(body.datadir !== undefined && { datadir: body.datadir }) }
        : {
            name: body.name,
            autodetect: false,
            host: body.host,
            port: body.port,
            protocol: body.protocol ?? 'http',
            user: body.user,
            password: body.password,
          };
    const { node, tests } = await nodes().add(input);
    reply.code(201);
    return { alias: node.alias, tests: testsOut(tests) };
  });
}
