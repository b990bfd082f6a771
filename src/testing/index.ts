/**
 * `specter-ts/testing`: boot the real app in tests — for Specter TS itself and for extension authors.
 */
export { createTestSpecter, type TestSpecter, type TestSpecterOptions } from './test-specter.js';
export { TestClient } from './test-client.js';
export { TEST_DESCRIPTORS } from './descriptors.js';
