/**
 * `/spc/setup`: the first-run path as a checklist — connect a Bitcoin Core node (autodetect first),
 * add a signing device, create a wallet — each step with its state and a link to do it. Steps can
 * be done in any order; the page only reads.
 */
import type { FastifyInstance } from 'fastify';
import type { AreaOptions } from '../index.js';
import { activeNodeState } from '../../node-view.js';

export default async function setupArea(scope: FastifyInstance, { specter }: AreaOptions): Promise<void> {
  const url = (endpoint: string) => specter.endpoints.urlFor(endpoint);
  scope.get('/', { config: { access: 'user', endpoint: 'setup_endpoint.index' } }, async (request, reply) => {
    const node = await activeNodeState(specter);
    const unreadable = (what: string) => (err: unknown) => {
      specter.logger.error({ err }, `could not list ${what} for the setup page`);
      return [];
    };
    const devices = await specter.deviceManager.list().catch(unreadable('devices'));
    const wallets = await specter.walletManager.list().catch(unreadable('wallets'));
    const isAdmin = request.user?.isAdmin === true;
    const steps = [
      {
        key: 'node',
        title: 'Connect your Bitcoin Core node',
        done: node.configured && node.connected,
        state: !node.configured
          ? 'No node yet.'
          : node.connected
            ? `Connected to "${node.name}" (${node.chain_name}, block ${node.blocks}).`
            : `"${node.name}" is not connected${node.error ? `: ${node.error}` : '.'}`,
        action: node.configured ? 'Check the node' : isAdmin ? 'Connect a node (autodetect)' : 'See nodes (an admin adds them)',
        url: node.configured || !isAdmin ? url('nodes_endpoint.list') : url('nodes_endpoint.new_node'),
      },
      {
        key: 'device',
        title: 'Add a signing device',
        done: devices.length > 0,
        state: devices.length ? `${devices.length} device${devices.length === 1 ? '' : 's'}.` : 'No device yet.',
        action: devices.length ? 'See devices' : 'Add a device',
        url: devices.length ? url('devices_endpoint.list') : url('devices_endpoint.new_device'),
      },
      {
        key: 'wallet',
        title: 'Create a wallet',
        done: wallets.length > 0,
        state: wallets.length ? `${wallets.length} wallet${wallets.length === 1 ? '' : 's'}.` : 'No wallet yet.',
        action: wallets.length ? 'See wallets' : 'Create a wallet',
        url: wallets.length ? url('wallets_endpoint.wallets_overview') : url('wallets_endpoint.new_wallet'),
      },
    ];
    return reply.render('setup/index.njk', { steps, all_done: steps.every((s) => s.done) });
  });
}
