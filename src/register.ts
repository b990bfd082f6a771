/**
 * `node --import <specter-ts>/dist/src/register.js …`: makes `import … from 'specter-ts'` resolve to
 * this Specter TS in that process (a plugin's tests use it, see docs/extensions/testing.md).
 */
import { registerSpecterResolution } from './extensions/specter-resolution.js';

registerSpecterResolution();
