import { Extension } from 'specter-ts';

/** An isolated-client extension: mounted under /ext/donate/, where the browser sends no session cookie. */
export default class DonateExtension extends Extension {
  get message(): string {
    return String(this.ctx.config.DONATE_MESSAGE);
  }
}
