/**
 * `/spc/nodes/…`: the Bitcoin Core nodes (shared by every user of this Specter). Everyone logged in
 * sees the list and the active node's state; adding, editing, testing, switching and deleting are
 * for admins. Adding or editing runs the connection test (connectable → credentials → recent
 * version → wallets enabled) and saves only when all four pass; a failure re-renders the form with
 * each check's result, the first failure's fix and what the user typed — except the password,
 * which is never sent back (left blank on an edit form it stays unchanged).
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AreaOptions } from '../index.js';
import { defaultDatadir, type ConnectionTestResult, type NodeInput, type PublicNode } from '../../../managers/nodes/index.js';
import { flash } from '../../flash.js';
import { formBody, formText, pathParam } from '../../schemas.js';
import { formError } from '../wallets-view.js';
import { activeNodeState } from '../../node-view.js';

const nodeParams = z.object({ node_alias: pathParam });
const nodeBody = formBody({
  name: formText,
  mode: formText,
  datadir: formText,
  host: formText,
  port: formText,
  protocol: formText,
  user: formText,
  password: formText,
  action: formText,
});
const confirmBody = formBody({ confirm: formText });

type NodeForm = z.infer<typeof nodeBody>;

/** What the form shows back: everything typed but the password. */
function shownValues(v: NodeForm) {
  return {
    name: v.name,
    mode: v.mode === 'manual' ? 'manual' : 'autodetect',
    datadir: v.datadir,
    host: v.host,
    port: v.port,
    protocol: v.protocol === 'https' ? 'https' : 'http',
    user: v.user,
  };
}

/** The form as node settings; `keepPassword`: a blank password leaves the saved one (edit). */
function inputOf(v: NodeForm, keepPassword: boolean): NodeInput {
  if (v.mode !== 'manual') return { name: v.name, autodetect: true, datadir: v.datadir };
  return {
    name: v.name,
    autodetect: false,
    host: v.host,
    port: v.port,
    protocol: v.protocol === 'https' ? 'https' : 'http',
    user: v.user,
    ...(v.password !== '' || !keepPassword ? { password: v.password } : {}),
  };
}

function valuesOf(node: PublicNode) {
  return {
    name: node.name,
    mode: node.autodetect ? 'autodetect' : 'manual',
    datadir: node.datadir,
    host: node.host,
    port: node.port === null ? '' : String(node.port),
    protocol: node.protocol,
    user: node.user,
  };
}

/** The connection test for a page: each check, the first failure with its fix, where it connected. */
function testsView(tests: ConnectionTestResult) {
  const c = tests.connection;
  return {
    ok: tests.ok,
    checks: tests.checks,
    failure: tests.failure ?? null,
    connection: c ? { url: `${c.protocol}://${c.host}:${c.port}`, source: c.source } : null,
    info: tests.info ?? null,
  };
}

interface PageExtra {
  tests?: ReturnType<typeof testsView>;
  error?: ReturnType<typeof formError>;
}

export default async function nodesArea(scope: FastifyInstance, { specter }: AreaOptions): Promise<void> {
  const app = scope.withTypeProvider<ZodTypeProvider>();
  const nodes = () => specter.nodeManager;
  const on = (endpoint: string, access: 'user' | 'admin' = 'admin') => ({ access, endpoint: `nodes_endpoint.${endpoint}` });
  const listUrl = () => specter.endpoints.urlFor('nodes_endpoint.list');
  const nodeUrl = (alias: string) => specter.endpoints.urlFor('nodes_endpoint.node', { node_alias: alias });

  app.get('/', { config: on('list', 'user') }, async (_request, reply) => {
    const active = await nodes().activeAlias();
    const list = (await nodes().list()).map((n) => ({
      alias: n.alias,
      name: n.name,
      active: n.alias === active,
      url: nodeUrl(n.alias),
      where: n.autodetect ? `autodetect · ${n.datadir}` : `${n.protocol}://${n.host}${n.port === null ? '' : `:${n.port}`}`,
    }));
    return reply.render('nodes/list.njk', { nodes: list, active_state: await activeNodeState(specter) });
  });

  const renderNew = (reply: FastifyReply, values: ReturnType<typeof shownValues>, extra: PageExtra = {}) => {
    if (extra.error) reply.code(extra.error.status);
    return reply.render('nodes/new.njk', { values, default_datadir: defaultDatadir(), ...extra });
  };

  app.get('/new', { config: on('new_node') }, async (_request, reply) =>
    renderNew(reply, {
      name: (await nodes().list()).length ? '' : 'Bitcoin Core',
      mode: 'autodetect',
      datadir: defaultDatadir(),
      host: 'localhost',
      port: '',
      protocol: 'http',
      user: '',
    }),
  );

  app.post('/new', { schema: { body: nodeBody }, config: on('new_node') }, async (request, reply) => {
    const values = shownValues(request.body);
    const input = inputOf(request.body, false);
    try {
      // Test first: a failure is shown check by check; the add runs the same test again before it writes.
      const tests = await nodes().testConnection(input);
      if (request.body.action === 'test' || !tests.ok) {
        if (!tests.ok) reply.code(400);
        return await renderNew(reply, values, { tests: testsView(tests) });
      }
      const { node } = await nodes().add(input);
      await flash(request, `Node "${node.name}" added: all four connection checks passed.`, 'success');
      return await reply.redirect(listUrl());
    } catch (err) {
      return renderNew(reply, values, { error: formError(err) });
    }
  });

  const renderNode = async (reply: FastifyReply, node: PublicNode, extra: PageExtra & { values?: ReturnType<typeof shownValues> } = {}) => {
    if (extra.error) reply.code(extra.error.status);
    const active = (await nodes().activeAlias()) === node.alias;
    return reply.render('nodes/node.njk', {
      node: { alias: node.alias, name: node.name, has_password: node.has_password, active },
      values: valuesOf(node),
      state: active ? await activeNodeState(specter) : null,
      ...extra,
    });
  };

  app.get('/:node_alias/', { schema: { params: nodeParams }, config: on('node') }, async (request, reply) =>
    renderNode(reply, await nodes().get(request.params.node_alias)),
  );

  app.post('/:node_alias/', { schema: { params: nodeParams, body: nodeBody }, config: on('node') }, async (request, reply) => {
    const record = await nodes().record(request.params.node_alias);
    const node = await nodes().get(record.alias);
    const values = shownValues(request.body);
    const changes = inputOf(request.body, true);
    try {
      const tests = await nodes().testConnection({ ...record, ...changes });
      if (request.body.action === 'test' || !tests.ok) {
        if (!tests.ok) reply.code(400);
        return await renderNode(reply, node, { values, tests: testsView(tests) });
      }
      const { node: saved } = await nodes().update(record.alias, changes);
      await flash(request, `Node "${saved.name}" saved: all four connection checks passed.`, 'success');
      return await reply.redirect(nodeUrl(saved.alias));
    } catch (err) {
      return renderNode(reply, node, { values, error: formError(err) });
    }
  });

  app.post('/:node_alias/test', { schema: { params: nodeParams }, config: on('test') }, async (request, reply) => {
    const record = await nodes().record(request.params.node_alias);
    const tests = await nodes().testConnection(record);
    if (!tests.ok) reply.code(400);
    if (tests.ok && (await nodes().activeAlias()) === record.alias) await nodes().refreshStatus();
    return renderNode(reply, await nodes().get(record.alias), { tests: testsView(tests) });
  });

  app.post('/:node_alias/activate', { schema: { params: nodeParams }, config: on('activate') }, async (request, reply) => {
    const node = await nodes().get(request.params.node_alias);
    await nodes().setActive(node.alias);
    await flash(request, `"${node.name}" is now the active node.`, 'success');
    return reply.redirect(listUrl());
  });

  app.get('/:node_alias/delete', { schema: { params: nodeParams }, config: on('delete') }, async (request, reply) => {
    const node = await nodes().get(request.params.node_alias);
    const active = (await nodes().activeAlias()) === node.alias;
    return reply.render('nodes/delete.njk', { node: { alias: node.alias, name: node.name, url: nodeUrl(node.alias), active } });
  });
  app.post('/:node_alias/delete', { schema: { params: nodeParams, body: confirmBody }, config: on('delete') }, async (request, reply) => {
    const node = await nodes().get(request.params.node_alias);
    if (request.body.confirm !== 'yes') return reply.redirect(nodeUrl(node.alias));
    await nodes().remove(node.alias);
    await flash(request, `Node "${node.name}" deleted. Bitcoin Core and its data are not affected.`, 'success');
    return reply.redirect(listUrl());
  });
}
