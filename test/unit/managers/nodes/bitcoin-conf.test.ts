/** bitcoin.conf and .cookie parsing: Core's rules, and a clear error naming the file and line. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isSpecterError } from '../../../../src/errors/index.js';
import { confValue, parseBitcoinConf, parseCookie } from '../../../../src/managers/nodes/index.js';

const FILE = '/data/bitcoin.conf';

describe('bitcoin.conf', () => {
  it('reads top-level settings, network sections and net.key prefixes; the section wins', () => {
    const conf = parseBitcoinConf(
      [
        '# a comment',
        'server=1',
        'rpcuser=alice  # trailing comment',
        'rpcpassword=top',
        'regtest=1',
        '',
        '[main]',
        'rpcport=8332',
        '[regtest]',
        'rpcport = 18555',
        'rpcpassword=regpw',
        '[unknown]',
        'rpcuser=ignored',
      ].join('\n'),
      FILE,
    );
    assert.equal(conf.network, 'regtest');
    assert.equal(confValue(conf, 'regtest', 'rpcport'), '18555');
    assert.equal(confValue(conf, 'regtest', 'rpcpassword'), 'regpw');
    assert.equal(confValue(conf, 'regtest', 'rpcuser'), 'alice');
    assert.equal(confValue(conf, 'main', 'rpcport'), '8332');
    assert.equal(confValue(conf, 'main', 'rpcpassword'), 'top');
    const prefixed = parseBitcoinConf('signet.rpcport=40000\nsignet=1\n', FILE);
    assert.equal(prefixed.network, 'signet');
    assert.equal(confValue(prefixed, 'signet', 'rpcport'), '40000');
    assert.equal(confValue(prefixed, 'main', 'rpcport'), undefined);
  });

  it('selects the chain like Core: testnet=1, testnet4=1, chain=…, else main', () => {
    assert.equal(parseBitcoinConf('testnet=1\n', FILE).network, 'test');
    assert.equal(parseBitcoinConf('testnet4=1\n', FILE).network, 'testnet4');
    assert.equal(parseBitcoinConf('chain=signet\n', FILE).network, 'signet');
    assert.equal(parseBitcoinConf('regtest=0\n', FILE).network, 'main');
    assert.equal(parseBitcoinConf('', FILE).network, 'main');
  });

  for (const [what, text, line] of [
    ['a line without "="', 'server=1\nthis is not a setting\n', 2],
    ['a broken section header', 'server=1\n\n[regtest\nrpcport=1\n', 3],
    ['binary garbage', 'rpcuser=a\n\u0000\u0001\u0002=\u00ff\n', 2],
    ['a key with spaces', 'rpc user=alice\n', 1],
  ] as const) {
    it(`refuses ${what} with the file and line`, () => {
      assert.throws(
        () => parseBitcoinConf(text, FILE),
        (err: unknown) => {
          assert.ok(isSpecterError(err, 'NODE_CONF_INVALID'));
          assert.equal(err.code, 'SPECTER_ERR_NODE_CONF_INVALID');
          assert.match(err.message, new RegExp(`^${FILE} line ${line}: `));
          assert.match(err.hint ?? '', /key=value/);
          assert.equal(err.details.line, line);
          return true;
        },
      );
    });
  }

  it('parses a cookie and refuses one that is not user:password', () => {
    assert.deepEqual(parseCookie('__cookie__:abc123\n', '/d/.cookie'), { user: '__cookie__', password: 'abc123' });
    assert.throws(
      () => parseCookie('garbage', '/d/.cookie'),
      (err: unknown) => isSpecterError(err, 'NODE_CONF_INVALID') && /\/d\/\.cookie/.test(err.message),
    );
  });
});
