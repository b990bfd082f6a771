/**
 * The server of bench/ext-toggle.ts, in its own process (started with --expose-gc): the app with
 * the built-in extensions on a temporary data folder, listening on loopback. The parent asks for
 * figures over the IPC channel; they are taken after two full garbage collections.
 */
import v8 from 'node:v8';
import { createTestSpecter } from '../../src/testing/index.js';

const app = await createTestSpecter();
const address = await app.app.listen({ port: 0, host: '127.0.0.1' });

function stats() {
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  gc?.();
  const memory = process.memoryUsage();
  const handles: Record<string, number> = {};
  for (const type of process.getActiveResourcesInfo()) handles[type] = (handles[type] ?? 0) + 1;
  const manager = app.specter.extensionManager;
  const views = app.app.views as unknown as {
    listenerCount(event: string): number;
    loaders: Array<{
      searchPaths: string[];
      cache: Record<string, unknown>;
      pathsToNames?: Record<string, string>;
      listenerCount(e: string): number;
    }>;
  };
  const loader = views.loaders[0]!;
  return {
    rssMb: memory.rss / 2 ** 20,
    heapUsedMb: memory.heapUsed / 2 ** 20,
    // V8's compiled code grows while the JIT optimises what the load runs; objects are the rest.
    heapObjectsMb: v8
      .getHeapSpaceStatistics()
      .filter((space) => space.space_name !== 'code_space')
      .reduce((n, space) => n + space.space_used_size / 2 ** 20, 0),
    handles,
    listeners: {
      'manager.onChange': manager.listenerCount,
      'health (onChange + onFailure)': manager.health.listenerCount,
      'nunjucks env load+update': views.listenerCount('load') + views.listenerCount('update'),
      'nunjucks loader load+update': loader.listenerCount('load') + loader.listenerCount('update'),
      'fastify server request': app.app.server.listenerCount('request'),
      'process (all events)': process.eventNames().reduce((n, e) => n + process.listenerCount(e), 0),
    },
    tables: {
      'template search paths': loader.searchPaths.length,
      'compiled templates cached': Object.keys(loader.cache).length,
      'template paths remembered': Object.keys(loader.pathsToNames ?? {}).length,
      'url_for endpoints': app.specter.endpoints.list().length,
      'route table rows': app.app.routeTable.length,
      'callback definitions': manager.callbacks.list().length,
      'scheduler jobs': manager.scheduler.list().length,
    },
  };
}

process.on('message', async (message: { type: string }) => {
  if (message.type === 'stats') process.send!({ type: 'stats', stats: stats() });
  if (message.type === 'exit') {
    await app.close();
    process.disconnect();
  }
});
process.send!({ type: 'ready', url: address });
