import type { Blueprint } from 'specter-ts';
import type HeartbeatExtension from './index.js';

export default function controller(bp: Blueprint, ext: HeartbeatExtension): void {
  bp.get('/', 'index', async (_request, reply) =>
    reply.render('heartbeat/index.njk', { beats: [...ext.recentBeats()].reverse(), interval: ext.ctx.config.HEARTBEAT_INTERVAL_SECONDS }),
  );
}
