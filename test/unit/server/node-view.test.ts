/** The display form of a node's status: sync percentage, syncing, "as of block N", unchecked. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { emptyStatus, type NodeStatus } from '../../../src/managers/nodes/index.js';
import { stateOf } from '../../../src/server/node-view.js';

const node = { alias: 'core', name: 'Core' };
const connected: NodeStatus = {
  ...emptyStatus('core'),
  connected: true,
  chain: 'regtest',
  blocks: 150,
  headers: 150,
  verificationprogress: 1,
  initialblockdownload: false,
  bestblockhash: 'ab',
  version: 290300,
  subversion: '/Satoshi:29.3.0/',
};

test('a connected node: chain name, height, Core version, not syncing', () => {
  const s = stateOf(node, connected, true);
  assert.deepEqual(
    [s.connected, s.chain_name, s.blocks, s.version, s.syncing, s.sync_pct, s.checked],
    [true, 'Regtest', 150, '29.3.0', false, 100, true],
  );
});

test('syncing: initial block download or headers ahead of blocks; the percentage is rounded down to 0.1', () => {
  const ibd = stateOf(node, { ...connected, chain: 'main', initialblockdownload: true, verificationprogress: 0.45678 }, true);
  assert.deepEqual([ibd.chain_name, ibd.syncing, ibd.sync_pct], ['Mainnet', true, 45.6]);
  const behind = stateOf(node, { ...connected, headers: 151 }, true);
  assert.equal(behind.syncing, true);
});

test('a node that went away keeps its last chain and height with the error; one never reached is unchecked until a poll answers', () => {
  const gone = stateOf(
    node,
    { ...connected, connected: false, error: 'Bitcoin Core at … refused the connection.', errorCode: 'SPECTER_ERR_NODE_UNREACHABLE' },
    true,
  );
  assert.deepEqual(
    [gone.connected, gone.blocks, gone.chain, gone.error_code, gone.checked],
    [false, 150, 'regtest', 'SPECTER_ERR_NODE_UNREACHABLE', true],
  );
  assert.equal(stateOf(node, emptyStatus('core'), true).checked, false);
  const none = stateOf(undefined, emptyStatus(null, 'No node is configured.'), false);
  assert.deepEqual([none.configured, none.alias, none.connected], [false, null, false]);
});
