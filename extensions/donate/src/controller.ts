import type { Blueprint } from 'specter-ts';
import type DonateExtension from './index.js';

export default function controller(bp: Blueprint, ext: DonateExtension): void {
  // Public by design: isolated-client routes never see the session, so there is no user here.
  bp.get('/', 'index', async (request, reply) =>
    reply.render('donate/index.njk', { message: ext.message, has_session_cookie: Boolean(request.headers.cookie?.includes('specter_session')) }),
  );
}
