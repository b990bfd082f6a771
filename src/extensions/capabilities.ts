import { SpecterError } from '../errors/index.js';

/**
 * Capabilities: what a plugin declares it needs (manifest `capabilities`), what the admin sees in
 * Choose plugins and on install, and what its context enforces. A call outside them fails with
 * EXT_CAPABILITY_MISSING naming the capability to declare.
 *
 * In-process JavaScript cannot be sandboxed by this: a plugin can still `import 'node:fs'`. What the
 * capabilities guarantee is that the API a plugin is given does not hand out more than it declared,
 * so a reviewer reads one list, and an honest plugin cannot reach other plugins' or users' data by
 * accident (docs/extensions/capabilities.md says this plainly).
 */
export const CAPABILITIES = {
  'wallets:read': "Reads the current user's wallets: names, addresses, balances, transactions and UTXOs.",
  'addresses:reserve': "Reserves addresses of the user's wallets for itself and annotates them.",
  'users:read': 'Lists the users who activated it (id, name, admin or not) and acts for them in background jobs.',
  'storage:encrypted': "Keeps its per-user data encrypted with the user's password-derived secret.",
  jobs: 'Runs scheduled background jobs.',
  'pages:inject': 'Adds HTML to the head or body of every page of the users who activated it.',
  'extensions:inspect': 'Reads the list of plugins, callbacks and jobs (developer tools).',
} as const;

export type NamedCapability = keyof typeof CAPABILITIES;
/** `network:<host>` lets the plugin's `http` client reach that host (`*.example.com` for its subdomains). */
export type NetworkCapability = `network:${string}`;
export type Capability = NamedCapability | NetworkCapability;

const HOST_PATTERN = /^(\*\.)?[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*(:\d{1,5})?$/;

/** Why `value` is not a capability, or null when it is one. */
export function capabilityProblem(value: string): string | null {
  if (Object.hasOwn(CAPABILITIES, value)) return null;
  if (value.startsWith('network:')) {
    const host = value.slice('network:'.length);
    return HOST_PATTERN.test(host) ? null : `"${value}" names no valid host; write network:api.example.com or network:*.example.com`;
  }
  return `"${value}" is not a capability; use ${Object.keys(CAPABILITIES).join(', ')} or network:<host>`;
}

/** The sentence the admin reads for one capability. */
export function describeCapability(cap: string): string {
  if (cap.startsWith('network:')) return `Connects to ${cap.slice('network:'.length)}.`;
  return (CAPABILITIES as Record<string, string>)[cap] ?? cap;
}

/** One plugin's granted capabilities, and the checks its context runs. */
export class CapabilitySet {
  readonly #caps: ReadonlySet<string>;
  readonly #hosts: readonly string[];

  constructor(
    readonly extId: string,
    caps: readonly string[],
  ) {
    this.#caps = new Set(caps);
    this.#hosts = caps.filter((c) => c.startsWith('network:')).map((c) => c.slice('network:'.length).toLowerCase());
  }

  get list(): readonly string[] {
    return [...this.#caps];
  }

  has(cap: NamedCapability): boolean {
    return this.#caps.has(cap);
  }

  /** Throws EXT_CAPABILITY_MISSING unless `cap` was declared; `what` names the call, e.g. "ctx.wallets.list()". */
  require(cap: NamedCapability, what: string): void {
    if (this.#caps.has(cap)) return;
    throw missing(this.extId, cap, what);
  }

  /** The hosts `http` may reach, as declared (`api.example.com`, `*.example.com`, `host:8080`). */
  get hosts(): readonly string[] {
    return this.#hosts;
  }

  /** Throws EXT_CAPABILITY_MISSING unless a `network:` capability covers the URL's host. */
  requireHost(url: URL, what: string): void {
    const host = url.hostname.toLowerCase();
    const ok = this.#hosts.some((h) => {
      // `*.example.com` and `*.example.com:8443`: a subdomain (with that port when one is named).
      const [pattern, port] = h.includes(':') ? [h.slice(0, h.lastIndexOf(':')), h.slice(h.lastIndexOf(':') + 1)] : [h, undefined];
      if (port !== undefined && port !== url.port) return false;
      return pattern.startsWith('*.') ? host.endsWith(pattern.slice(1)) : pattern === host;
    });
    if (!ok) throw missing(this.extId, `network:${host}`, what);
  }
}

function missing(extId: string, cap: string, what: string): SpecterError {
  return new SpecterError('EXT_CAPABILITY_MISSING', `Plugin "${extId}" called ${what}, which needs the capability "${cap}" it did not declare.`, {
    hint: `Add "${cap}" to "capabilities" in the plugin's manifest (package.json "specterExtension"); the admin sees it when installing.`,
    details: { extensionId: extId, capability: cap },
  });
}

/** The capabilities a manifest implies without declaring them: `encryptData` is `storage:encrypted`. */
export function effectiveCapabilities(declared: readonly string[], encryptData: boolean): string[] {
  const all = new Set(declared);
  if (encryptData) all.add('storage:encrypted');
  return [...all].sort();
}
