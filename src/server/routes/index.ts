import type { FastifyInstance } from 'fastify';
import { serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import type { Specter } from '../../specter/index.js';
import welcome from './welcome/index.js';
import auth from './auth/index.js';
import settings from './settings/index.js';
import wallets from './wallets/index.js';
import devices from './devices/index.js';
import plugins from './plugins/index.js';
import nodes from './nodes/index.js';
import setup from './setup/index.js';

export interface AreaOptions {
  specter: Specter;
}

/** The core areas of DESIGN.md §3, each an encapsulated plugin under its prefix inside /spc. */
export async function registerCoreAreas(ui: FastifyInstance, specter: Specter): Promise<void> {
  // Zod route schemas for the core only: extension blueprints keep Fastify's JSON-schema default.
  await ui.register(async (core) => {
    core.setValidatorCompiler(validatorCompiler);
    core.setSerializerCompiler(serializerCompiler);
    await core.register(welcome, { specter, prefix: '/welcome' });
    await core.register(auth, { specter, prefix: '/auth' });
    await core.register(settings, { specter, prefix: '/settings' });
    await core.register(wallets, { specter, prefix: '/wallets' });
    await core.register(devices, { specter, prefix: '/devices' });
    await core.register(plugins, { specter, prefix: '/plugins' });
    await core.register(nodes, { specter, prefix: '/nodes' });
    await core.register(setup, { specter, prefix: '/setup' });
  });
}
