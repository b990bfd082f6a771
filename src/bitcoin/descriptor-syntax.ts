/**
 * Descriptor text → script template + key expression strings, with BIP-380 checksum handling.
 *
 * Only the shapes Specter wallets use are accepted; everything else gets a message saying which
 * construct is unsupported or illegal where it stands (BIP-381/382/383/386 nesting rules).
 */
import { SpecterError } from '../errors/index.js';
import { descriptorChecksum } from './descriptor-checksum.js';
import type { KeyContext } from './key-expression.js';
import type { ScriptType } from './keys.js';

export const SUPPORTED_FORMS =
  'wpkh(KEY), sh(wpkh(KEY)), pkh(KEY), tr(KEY), wsh(multi|sortedmulti(k,KEY,…)), sh(wsh(multi|sortedmulti(…))), sh(multi|sortedmulti(…))';

const INPUT_CHARSET = '0123456789()[],\'/*abcdefgh@:$%{}IJKLMNOPQRSTUVWXYZ&+-.;<=>?!^_|~ijklmnopqrstuvwxyzABCDEFGH`#"\\ ';
const CHECKSUM_CHARSET = /^[qpzry9x8gf2tvdw0s3jn54khce6mua7l]{8}$/;

export interface DescriptorSyntax {
  scriptType: ScriptType;
  /** multi/sortedmulti threshold as written (validated later); null for single-key forms. */
  threshold: string | null;
  sorted: boolean;
  multisig: boolean;
  keyContext: KeyContext;
  keys: string[];
  /** The body without checksum, after legacy `{0,1}` → `<0;1>` rewriting. */
  body: string;
  /** Checksum as given (already verified), or null. */
  checksum: string | null;
}

function invalid(message: string, hint = `Supported forms: ${SUPPORTED_FORMS}.`): SpecterError {
  return new SpecterError('DESCRIPTOR_INVALID', message, { hint });
}

/** Split off and verify `#checksum`. Returns the body and the checksum (null when absent). */
export function splitChecksum(text: string): { body: string; checksum: string | null } {
  const trimmed = text.trim();
  for (let i = 0; i < trimmed.length; i++) {
    const c = trimmed[i]!;
    if (/\s/.test(c))
      throw invalid(
        `The descriptor contains whitespace at position ${i + 1}.`,
        'Remove spaces and line breaks (they usually come from copy and paste).',
      );
    if (!INPUT_CHARSET.includes(c))
      throw invalid(
        `The descriptor contains the character "${c}" at position ${i + 1}, which descriptors do not allow.`,
        'Copy the descriptor again from its source.',
      );
  }
  const hash = trimmed.indexOf('#');
  if (hash < 0) return { body: trimmed, checksum: null };
  const body = trimmed.slice(0, hash);
  const checksum = trimmed.slice(hash + 1);
  if (!CHECKSUM_CHARSET.test(checksum)) {
    throw new SpecterError(
      'DESCRIPTOR_CHECKSUM',
      `The descriptor checksum "#${checksum}" is malformed: it must be 8 characters from the bech32 alphabet.`,
      {
        hint: 'Copy the whole descriptor again, or remove the "#…" part to have the checksum recomputed.',
      },
    );
  }
  const expected = descriptorChecksum(body);
  if (expected !== checksum) {
    throw new SpecterError(
      'DESCRIPTOR_CHECKSUM',
      `The descriptor checksum does not match: it says #${checksum}, the descriptor text gives #${expected}.`,
      {
        hint: 'The descriptor was changed after the checksum was made (typo, truncated copy). Copy it again from the wallet or device; remove the checksum only if you are sure the text is right.',
        details: { given: checksum, computed: expected },
      },
    );
  }
  return { body, checksum };
}

interface Call {
  fn: string;
  args: string[];
}

/** `fn(a,b,…)` with top-level comma splitting, or null when `text` is not a call. */
function parseCall(text: string): Call | null {
  const m = /^([a-z_]+)\(/.exec(text);
  if (!m) return null;
  const open = m[0].length - 1;
  const args: string[] = [];
  let depth = 0;
  let start = open + 1;
  for (let i = open; i < text.length; i++) {
    const c = text[i]!;
    // Only () and {} nest; [origin] and <multipath> never contain commas and are checked by
    // the key parser, which gives better messages for a stray bracket.
    if (c === '(' || c === '{') depth++;
    else if (c === ')' || c === '}') {
      depth--;
      if (depth === 0) {
        if (i !== text.length - 1) throw invalid(`Unexpected text after ${m[1]}(…): "${text.slice(i + 1, i + 20)}".`);
        args.push(text.slice(start, i));
        return { fn: m[1]!, args };
      }
    } else if (c === ',' && depth === 1) {
      args.push(text.slice(start, i));
      start = i + 1;
    }
  }
  throw invalid(`${m[1]}( is not closed: a ")" is missing.`);
}

const UNSUPPORTED: Record<string, string> = {
  pk: 'pk() (bare pay-to-pubkey)',
  combo: 'combo()',
  raw: 'raw()',
  addr: 'addr()',
  rawtr: 'rawtr()',
  multi_a: 'multi_a() (taproot script multisig)',
  sortedmulti_a: 'sortedmulti_a() (taproot script multisig)',
  musig: 'musig()',
};

function unsupported(fn: string, context: string): SpecterError {
  const what = UNSUPPORTED[fn] ?? `${fn}()`;
  return invalid(`${what} ${context} is not supported by Specter TS.`);
}

function onlyArg(call: Call, what: string): string {
  if (call.args.length !== 1 || call.args[0] === '')
    throw invalid(`${call.fn}() takes exactly one ${what}, got ${call.args.length === 1 ? 'nothing' : call.args.length}.`);
  return call.args[0]!;
}

function keyArg(call: Call): string {
  const arg = onlyArg(call, 'key');
  if (parseCall(arg)) throw invalid(`${call.fn}() takes a key, not a script expression ("${arg.slice(0, 24)}…").`);
  return arg;
}

function multi(call: Call, scriptType: ScriptType, keyContext: KeyContext, body: string, checksum: string | null): DescriptorSyntax {
  const [threshold, ...keys] = call.args;
  if (keys.length === 0)
    throw new SpecterError('DESCRIPTOR_POLICY', `${call.fn}() needs a threshold and at least one key.`, {
      hint: 'Write it as sortedmulti(2,KEY1,KEY2,KEY3).',
    });
  return { scriptType, threshold: threshold ?? '', sorted: call.fn === 'sortedmulti', multisig: true, keyContext, keys, body, checksum };
}

const isMulti = (fn: string) => fn === 'multi' || fn === 'sortedmulti';

/** Parse the script structure. `{0,1}` (old embit/Specter multipath) is read as `<0;1>`. */
export function parseDescriptorSyntax(text: string): DescriptorSyntax {
  const split = splitChecksum(text);
  const checksum = split.checksum;
  const body = split.body.replace(/\/\{(\d+),(\d+)\}\//g, '/<$1;$2>/');
  if (!body) throw invalid('The descriptor is empty.');
  const top = parseCall(body);
  if (!top) throw invalid(`"${body.slice(0, 24)}…" is not a descriptor: it must start with a script function such as wpkh( or wsh(.`);
  const single = (scriptType: ScriptType, keyContext: KeyContext, call: Call): DescriptorSyntax => ({
    scriptType,
    threshold: null,
    sorted: false,
    multisig: false,
    keyContext,
    keys: [keyArg(call)],
    body,
    checksum,
  });

  switch (top.fn) {
    case 'wpkh':
      return single('wpkh', 'segwit', top);
    case 'pkh':
      return single('pkh', 'legacy', top);
    case 'tr':
      if (top.args.length > 1) throw invalid('tr() with a script tree is not supported: Specter TS supports key-path-only taproot, tr(KEY).');
      return single('tr', 'tr', top);
    case 'wsh': {
      const inner = parseCall(onlyArg(top, 'script'));
      if (!inner) throw invalid('wsh() takes a script expression such as sortedmulti(…), not a key.');
      if (isMulti(inner.fn)) return multi(inner, 'wsh', 'segwit', body, checksum);
      if (inner.fn === 'wsh') throw invalid('wsh() cannot be nested inside wsh().');
      if (inner.fn === 'wpkh') throw invalid('wpkh() cannot be nested inside wsh().');
      if (inner.fn === 'sh' || inner.fn === 'tr') throw invalid(`${inner.fn}() can only be used at the top level, not inside wsh().`);
      throw unsupported(inner.fn, 'inside wsh()');
    }
    case 'sh': {
      const inner = parseCall(onlyArg(top, 'script'));
      if (!inner) throw invalid('sh() takes a script expression such as wpkh(…) or wsh(…), not a key.');
      if (inner.fn === 'wpkh') return single('sh-wpkh', 'segwit', inner);
      if (isMulti(inner.fn)) return multi(inner, 'sh', 'legacy', body, checksum);
      if (inner.fn === 'wsh') {
        const inner2 = parseCall(onlyArg(inner, 'script'));
        if (!inner2) throw invalid('wsh() takes a script expression such as sortedmulti(…), not a key.');
        if (isMulti(inner2.fn)) return multi(inner2, 'sh-wsh', 'segwit', body, checksum);
        if (inner2.fn === 'wsh') throw invalid('wsh() cannot be nested inside wsh().');
        if (inner2.fn === 'wpkh') throw invalid('wpkh() cannot be nested inside wsh().');
        if (inner2.fn === 'sh' || inner2.fn === 'tr') throw invalid(`${inner2.fn}() can only be used at the top level.`);
        throw unsupported(inner2.fn, 'inside sh(wsh())');
      }
      if (inner.fn === 'sh' || inner.fn === 'tr') throw invalid(`${inner.fn}() can only be used at the top level, not inside sh().`);
      throw unsupported(inner.fn, 'inside sh()');
    }
    case 'multi':
    case 'sortedmulti':
      throw invalid(
        `Bare ${top.fn}() is not supported.`,
        'Wrap it: wsh(sortedmulti(…)) for native segwit or sh(wsh(sortedmulti(…))) for nested segwit.',
      );
    default:
      if (UNSUPPORTED[top.fn]) throw unsupported(top.fn, 'as a wallet descriptor');
      throw invalid(`Unknown script function ${top.fn}().`);
  }
}
