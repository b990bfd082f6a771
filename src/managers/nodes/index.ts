export { NodeTypeRegistry, BUILTIN_NODE_TYPES, type NodeType } from './node-types.js';
