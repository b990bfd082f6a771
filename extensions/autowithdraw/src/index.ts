import { Extension, isSpecterError, type ExtensionScheduler, type ExtensionTab, type UserInfo, type WalletSyncedEvent } from 'specter-ts';
import { ExchangeError, sendWithdrawalAddresses } from './exchange.js';

/** What the extension keeps per user, encrypted with the user's secret (`encryptData`). */
export interface AutowithdrawData {
  /** The exchange API token. Never shown again once saved. */
  token?: string;
  /** Alias of the wallet withdrawals go to. */
  wallet?: string;
  last_sync?: SyncResult;
}

export interface SyncResult {
  at: string;
  ok: boolean;
  wallet: string;
  addresses: number;
  message: string;
}

/** One user's outcome of a job run (for logs and tests). */
export interface SyncReport {
  user: string;
  status: 'synced' | 'failed' | 'locked' | 'not-configured';
  message?: string;
}

/** The annotations written for every address reserved for the exchange. */
export const ANNOTATIONS = Object.freeze({ exchange: 'demo', purpose: 'withdrawal' });

/**
 * Auto-withdraw: the exchange pattern of Specter's Swan extension. A user saves an exchange API
 * token (encrypted) and picks a wallet; a scheduled job keeps `AUTOWITHDRAW_RESERVED_ADDRESSES`
 * (10) unused addresses of that wallet reserved for the exchange, annotated, and sends them to the
 * exchange API. The Receive tab skips them, so they are never handed out twice.
 *
 * Jobs run outside requests and the token is encrypted with the user's secret, which exists in
 * memory only while the user is logged in: the job skips (and logs) users who are not.
 */
export default class AutowithdrawExtension extends Extension<AutowithdrawData> {
  override callback_after_serverpy_init_app({ scheduler }: { scheduler: ExtensionScheduler }): void {
    scheduler.addJob('sync', (job) => this.syncAll(job.signal), { seconds: Number(this.ctx.config.AUTOWITHDRAW_INTERVAL_SECONDS) });
  }

  /**
   * The chain saw transactions: an output paying one of the addresses reserved for the exchange
   * marks that address "paid" (amount and txid in its annotations), so the wallet tab shows which
   * withdrawals arrived. The core fires it as the wallet's owner, so `ctx.annotations` is theirs.
   */
  override async callback_wallet_synced(event: WalletSyncedEvent): Promise<void> {
    const paid = event.transactions.flatMap((tx) =>
      tx.outputs
        .filter((o) => o.service_id === this.id)
        .map((o) => ({ address: o.address, amount: o.amount, txid: tx.txid, confirmations: tx.confirmations })),
    );
    if (!paid.length) return;
    const annotations = await this.ctx.annotations.forWallet(event.wallet);
    for (const p of paid) {
      await annotations.setAddress(p.address, {
        ...annotations.address(p.address),
        paid: `${p.amount} sats in ${p.txid.slice(0, 16)}… (${p.confirmations ? `${p.confirmations} confirmations` : 'unconfirmed'})`,
      });
    }
  }

  override callback_add_wallettabs(): ExtensionTab[] {
    return [{ title: 'Auto-withdraw', endpoint: 'wallet_tab' }];
  }

  get apiUrl(): string {
    return String(this.ctx.config.AUTOWITHDRAW_API_URL);
  }

  private get reservedCount(): number {
    return Number(this.ctx.config.AUTOWITHDRAW_RESERVED_ADDRESSES);
  }

  /** The current user's settings (needs the unlocked secret). */
  async settings(): Promise<AutowithdrawData> {
    return this.ctx.storage.get();
  }

  /**
   * Saves the token (kept when `token` is empty) and the wallet. Switching wallets releases the
   * addresses reserved in the old one, as Swan did.
   */
  async saveSettings(input: { token: string; wallet: string }): Promise<AutowithdrawData> {
    const current = await this.settings();
    const wallet = input.wallet.trim();
    await this.ctx.wallets.get(wallet); // WALLET_NOT_FOUND before anything is written
    const token = input.token.trim() || current.token;
    if (!token) throw new ExchangeError('Enter the API token from your exchange account.');
    if (current.wallet && current.wallet !== wallet) await this.releaseFrom(current.wallet);
    const next: AutowithdrawData = { token, wallet, ...(current.last_sync && current.wallet === wallet ? { last_sync: current.last_sync } : {}) };
    await this.ctx.storage.set(next);
    return next;
  }

  /** Removes the integration for the current user: releases the reserved addresses and forgets the token. */
  async removeIntegration(): Promise<void> {
    const current = await this.settings();
    if (current.wallet) await this.releaseFrom(current.wallet);
    await this.ctx.storage.remove();
  }

  private async releaseFrom(wallet: string): Promise<void> {
    try {
      await this.ctx.addresses.release(wallet);
    } catch (err) {
      if (!isSpecterError(err, 'WALLET_NOT_FOUND')) throw err;
    }
  }

  /** The job: every user who activated the extension, has a token and is logged in (unlocked). */
  async syncAll(signal?: AbortSignal): Promise<SyncReport[]> {
    const reports: SyncReport[] = [];
    for (const user of this.ctx.users.list()) {
      if (signal?.aborted) break;
      let data: Partial<AutowithdrawData>;
      try {
        data = await this.ctx.storage.forUser(user.id).get();
      } catch (err) {
        if (isSpecterError(err, 'USER_SECRET_LOCKED') || isSpecterError(err, 'USER_SECRET_UNAVAILABLE')) {
          this.ctx.log.info({ user: user.name }, 'auto-withdraw: skipping a user whose encrypted data is locked (not logged in)');
          reports.push({ user: user.name, status: 'locked' });
          continue;
        }
        throw err;
      }
      if (!data.token || !data.wallet) {
        reports.push({ user: user.name, status: 'not-configured' });
        continue;
      }
      // Wallets belong to users: the reservation must happen in this user's wallet of that alias.
      const result = await this.ctx.asUser(user.id, () => this.syncUser(user, data, signal));
      reports.push({ user: user.name, status: result.ok ? 'synced' : 'failed', message: result.message });
    }
    return reports;
  }

  /** Tops the reservation up and sends the addresses; the outcome is stored as `last_sync`. */
  async syncUser(user: UserInfo, data: Partial<AutowithdrawData>, signal?: AbortSignal): Promise<SyncResult> {
    const wallet = data.wallet!;
    let result: SyncResult;
    try {
      const addresses = await this.ctx.addresses.reserve(wallet, { count: this.reservedCount, annotations: { ...ANNOTATIONS } });
      await sendWithdrawalAddresses(
        {
          http: this.ctx.http,
          baseUrl: this.apiUrl,
          token: data.token!,
          timeoutMs: Number(this.ctx.config.AUTOWITHDRAW_HTTP_TIMEOUT_MS),
          ...(signal ? { signal } : {}),
        },
        { wallet, addresses },
      );
      result = {
        at: new Date().toISOString(),
        ok: true,
        wallet,
        addresses: addresses.length,
        message: `${addresses.length} withdrawal addresses sent to the exchange.`,
      };
    } catch (err) {
      if (!(err instanceof ExchangeError) && !isSpecterError(err)) throw err;
      result = { at: new Date().toISOString(), ok: false, wallet, addresses: 0, message: err.message };
      this.ctx.log.warn({ user: user.name, wallet, err: err.message }, 'auto-withdraw: sync failed');
    }
    await this.ctx.storage.forUser(user.id).update((current) => ({ ...current, last_sync: result }));
    return result;
  }
}
