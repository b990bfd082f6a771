/** Node files: Specter's format read liberally, written canonically, shown without the password. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isSpecterError } from '../../../../src/errors/index.js';
import { nodeAliasFromName, parseNodeFile, parseNodeInput, toPublic } from '../../../../src/managers/nodes/index.js';

describe('node records', () => {
  it('reads a Specter Desktop node file as it is', () => {
    const specter = {
      python_class: 'cryptoadvance.specter.node.Node',
      fullpath: '/home/u/.specter/nodes/bitcoin_core.json',
      name: 'Bitcoin Core',
      alias: 'bitcoin_core',
      autodetect: false,
      datadir: '~/.bitcoin',
      user: 'bitcoin',
      password: 'secret',
      port: 8332,
      host: 'localhost',
      protocol: 'http',
      node_type: 'BTC',
    };
    const node = parseNodeFile(specter, '/x/bitcoin_core.json', 'bitcoin_core');
    assert.equal(node.port, 8332);
    assert.equal(node.type, 'bitcoincore');
    assert.equal(node.python_class, 'cryptoadvance.specter.node.Node', 'unknown fields are kept');
  });

  it("is liberal: nulls, ports as strings, missing fields get Specter's read defaults", () => {
    const node = parseNodeFile(
      { name: 'My node', port: '18443', user: null, password: null, host: null, protocol: null, autodetect: null },
      '/x/my_node.json',
      'my_node',
    );
    assert.equal(node.alias, 'my_node', 'the alias comes from the file name');
    assert.equal(node.port, 18443);
    assert.equal(node.user, '');
    assert.equal(node.host, 'localhost');
    assert.equal(node.protocol, 'http');
    assert.equal(node.autodetect, true);
    assert.equal(node.node_type, 'BTC');
    assert.equal(parseNodeFile({ name: 'n', port: '' }, '/x/n.json', 'n').port, null);
    assert.equal(parseNodeFile({ name: 'n', port: null }, '/x/n.json', 'n').port, null);
  });

  it('refuses a file it cannot use, naming the file and field', () => {
    assert.throws(
      () => parseNodeFile({ name: 'n', port: 'eighty' }, '/x/n.json', 'n'),
      (err: unknown) => isSpecterError(err, 'DATA_FILE_CORRUPT') && /\/x\/n\.json/.test(err.message) && /"port"/.test(err.message),
    );
    assert.throws(
      () => parseNodeFile([1, 2], '/x/n.json', 'n'),
      (err: unknown) => isSpecterError(err, 'DATA_FILE_CORRUPT'),
    );
  });

  it('validates input with NODE_INVALID naming the field', () => {
    assert.throws(
      () => parseNodeInput({ name: 'n', alias: 'n', port: 70000 }),
      (err: unknown) => isSpecterError(err, 'NODE_INVALID') && err.details.field === 'port',
    );
    assert.throws(
      () => parseNodeInput({ name: '  ', alias: 'n' }),
      (err: unknown) => isSpecterError(err, 'NODE_INVALID') && err.details.field === 'name',
    );
  });

  it("makes Specter's aliases", () => {
    assert.equal(nodeAliasFromName('  Bitcoin Core '), 'bitcoin_core');
    assert.equal(nodeAliasFromName('My-Node #2'), 'my_node_2');
    assert.equal(nodeAliasFromName('€€€'), 'node');
  });

  it('the public view has no password', () => {
    const node = parseNodeInput({ name: 'n', alias: 'n', user: 'u', password: 'hunter2', autodetect: false });
    const pub = toPublic(node);
    assert.equal('password' in pub, false);
    assert.equal(pub.has_password, true);
    assert.doesNotMatch(JSON.stringify(pub), /hunter2/);
  });
});
