/**
 * bitcoin.conf and .cookie parsing, as Bitcoin Core reads them (common/config.cpp): `key=value`
 * lines, `#` comments, `[main]`/`[test]`/`[testnet4]`/`[signet]`/`[regtest]` sections and
 * `net.key=value` prefixes. A line Core would refuse (no `=`) is an error naming the file and line,
 * as Core's own "parse error on line N". Pure functions; autodetect.ts reads the files.
 */
import { SpecterError } from '../../errors/index.js';

export const CONF_NETWORKS = ['main', 'test', 'testnet4', 'signet', 'regtest'] as const;
export type ConfNetwork = (typeof CONF_NETWORKS)[number];

export interface BitcoinConf {
  /** Settings outside any section (or without a network prefix). */
  default: Record<string, string>;
  /** Settings of each network section (and `net.key=` lines). */
  sections: Record<ConfNetwork, Record<string, string>>;
  /** The chain this conf selects: regtest=1, testnet=1, testnet4=1, signet=1, chain=…, else main. */
  network: ConfNetwork;
}

const isNetwork = (s: string): s is ConfNetwork => (CONF_NETWORKS as readonly string[]).includes(s);

function confError(file: string, line: number, why: string): SpecterError {
  return new SpecterError('NODE_CONF_INVALID', `${file} line ${line}: ${why}.`, {
    hint:
      'bitcoin.conf lines are "key=value", "[section]" or "# comment"; fix the line (bitcoind refuses it too), ' +
      'or turn autodetect off and enter the connection by hand.',
    details: { path: file, line },
  });
}

export function parseBitcoinConf(text: string, file: string): BitcoinConf {
  const conf: BitcoinConf = {
    default: {},
    sections: { main: {}, test: {}, testnet4: {}, signet: {}, regtest: {} },
    network: 'main',
  };
  let section: string | null = null;
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!;
    const hash = raw.indexOf('#');
    const line = (hash >= 0 ? raw.slice(0, hash) : raw).trim();
    if (!line) continue;
    // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what this check refuses
    if (/[\u0000-\u0008\u000e-\u001f\u007f\ufffd]/.test(line)) throw confError(file, i + 1, 'contains binary data, not text');
    if (line.startsWith('[')) {
      const m = /^\[([^\]]*)\]$/.exec(line);
      if (!m) throw confError(file, i + 1, `"${line.slice(0, 40)}" is not a [section] header`);
      section = m[1]!.trim();
      continue;
    }
    const eq = line.indexOf('=');
    if (eq <= 0) throw confError(file, i + 1, `"${line.slice(0, 40)}" is not a key=value setting`);
    let key = line.slice(0, eq).trim().replace(/^-/, '');
    const value = line.slice(eq + 1).trim();
    let target = section;
    const dot = key.indexOf('.');
    if (dot > 0 && target === null) {
      target = key.slice(0, dot);
      key = key.slice(dot + 1);
    }
    if (!/^[A-Za-z0-9_]+$/.test(key)) throw confError(file, i + 1, `"${key.slice(0, 40)}" is not a setting name`);
    // Sections Core does not know are ignored by Core (with a warning); so are they here.
    if (target === null) conf.default[key] ??= value;
    else if (isNetwork(target)) conf.sections[target][key] ??= value;
  }
  const on = (k: string): boolean => conf.default[k] !== undefined && conf.default[k] !== '0';
  const chain = conf.default.chain;
  if (chain && isNetwork(chain === 'testnet' ? 'test' : chain)) conf.network = (chain === 'testnet' ? 'test' : chain) as ConfNetwork;
  else if (on('regtest')) conf.network = 'regtest';
  else if (on('testnet4')) conf.network = 'testnet4';
  else if (on('testnet')) conf.network = 'test';
  else if (on('signet')) conf.network = 'signet';
  return conf;
}

/** A setting for `network`: its section wins over the top of the file (Core's rule for rpc settings). */
export function confValue(conf: BitcoinConf, network: ConfNetwork, key: string): string | undefined {
  return conf.sections[network][key] ?? conf.default[key];
}

/** `.cookie` is `user:password` (user `__cookie__`). */
export function parseCookie(text: string, file: string): { user: string; password: string } {
  const line = text.trim();
  const i = line.indexOf(':');
  if (i <= 0 || i === line.length - 1 || /\s/.test(line)) {
    throw new SpecterError('NODE_CONF_INVALID', `${file} is not a Bitcoin Core cookie ("user:password").`, {
      hint: 'Delete the file and restart bitcoind, which writes a new one.',
      details: { path: file },
    });
  }
  return { user: line.slice(0, i), password: line.slice(i + 1) };
}
