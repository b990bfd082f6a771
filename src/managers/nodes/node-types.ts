import { SpecterError } from '../../errors/index.js';

/**
 * Node types (the seed's NodeManager classes: Bitcoin Core, Spectrum, …). The chain layer that
 * talks to nodes comes later; extensions can already contribute types through their `nodes`
 * manifest field, and they are listed here.
 */
export interface NodeType {
  /** Stable id stored with a node, e.g. "bitcoincore". */
  readonly type: string;
  readonly name: string;
  /** The extension that contributed it; undefined for built-in types. */
  readonly extensionId?: string;
}

export const BUILTIN_NODE_TYPES: readonly NodeType[] = Object.freeze([{ type: 'bitcoincore', name: 'Bitcoin Core' }]);

export class NodeTypeRegistry {
  readonly #types = new Map<string, NodeType>();

  constructor(builtins: readonly NodeType[] = BUILTIN_NODE_TYPES) {
    for (const t of builtins) this.register(t);
  }

  register(type: NodeType): void {
    if (!/^[a-z0-9_]+$/.test(type.type)) {
      throw new SpecterError('VALIDATION', `Node type "${type.type}" is not a valid id.`, { hint: 'Use lowercase letters, digits and "_".' });
    }
    if (this.#types.has(type.type)) {
      throw new SpecterError('VALIDATION', `Node type "${type.type}" is already registered.`, { hint: 'Choose another type id.' });
    }
    this.#types.set(type.type, Object.freeze({ ...type }));
  }

  /** Removes an extension's node type (the extension was unloaded). Built-in types stay. */
  unregister(type: string): boolean {
    if (BUILTIN_NODE_TYPES.some((t) => t.type === type)) return false;
    return this.#types.delete(type);
  }

  get(type: string): NodeType | undefined {
    return this.#types.get(type);
  }

  list(): NodeType[] {
    return [...this.#types.values()];
  }
}
