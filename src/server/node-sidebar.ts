/**
 * A view contributor: the active node's state for every logged-in page (`node_status`) — the
 * sidebar shows chain, height, sync progress and connected or a "disconnected" badge with "as of
 * block N", and wallet pages say when chain data needs a node. It never fails a page.
 */
import type { FastifyRequest } from 'fastify';
import type { Specter } from '../specter/index.js';
import type { ViewContributor } from './plugins/rendering.js';
import { activeNodeState } from './node-view.js';

export function nodeSidebarContributor(specter: Specter): ViewContributor {
  return async (request: FastifyRequest, context: Record<string, unknown>) => {
    if (!request.user) return;
    context.node_status = await activeNodeState(specter);
    context.nodes_url = specter.endpoints.urlFor('nodes_endpoint.list');
  };
}
