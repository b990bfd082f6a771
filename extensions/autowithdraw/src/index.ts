import {
  Extension,
  isSpecterError,
  runAsUser,
  walletsOf,
  type ExtensionScheduler,
  type ExtensionTab,
  type ExtensionUser,
  type User,
  type WalletSyncedEvent,
  openAnnotations,
} from 'specter-ts';
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

/** The parts of the host services the job needs (the app provides them; typed here for clarity). */
interface UsersService {
  list(): User[];
}
interface ActivationService {
  isActiveFor(user: ExtensionUser, id: string): boolean;
}
interface StorageService {
  forUser(user: ExtensionUser): {
    get(extId: string, encrypt: boolean): Promise<AutowithdrawData>;
    update(extId: string, encrypt: boolean, partial: AutowithdrawData): Promise<AutowithdrawData>;
  };
}

/**
 * Auto-withdraw: the exchange pattern of Specter's Swan extension. A user saves an exchange API
 * token (encrypted) and picks a wallet; a scheduled job keeps `AUTOWITHDRAW_RESERVED_ADDRESSES`
 * (10) unused addresses of that wallet reserved for the exchange, annotated, and sends them to the
 * exchange API. The Receive tab skips them, so they are never handed out twice.
 *
 * Jobs run outside requests and the token is encrypted with the user's secret, which exists in
 * memory only while the user is logged in: the job skips (and logs) users who are not.
 */
export default class AutowithdrawExtension extends Extension {
  override callback_after_serverpy_init_app({ scheduler }: { scheduler: ExtensionScheduler }): void {
    scheduler.addJob('sync', (ctx) => this.syncAll(ctx.signal), { seconds: Number(this.config.AUTOWITHDRAW_INTERVAL_SECONDS) });
  }

  /**
   * The chain saw transactions: an output paying one of the addresses reserved for the exchange
   * marks that address "paid" (amount and txid in its annotations), so the wallet tab shows which
   * withdrawals arrived. Runs as the wallet's owner, whose wallet folder holds the annotations.
   */
  override async callback_wallet_synced(event: WalletSyncedEvent): Promise<void> {
    const owner = this.services.users.list().find((u) => u.id === event.user);
    if (!owner) return;
    const paid = event.transactions.flatMap((tx) =>
      tx.outputs
        .filter((o) => o.service_id === this.id)
        .map((o) => ({ address: o.address, amount: o.amount, txid: tx.txid, confirmations: tx.confirmations })),
    );
    if (!paid.length) return;
    await runAsUser(owner, async () => {
      const annotations = await openAnnotations(this.host, event.wallet, this.id);
      for (const p of paid) {
        const current = annotations.getAddrAnnotations(p.address);
        await annotations.setAddrAnnotations(p.address, {
          ...current,
          paid: `${p.amount} sats in ${p.txid.slice(0, 16)}… (${p.confirmations ? `${p.confirmations} confirmations` : 'unconfirmed'})`,
        });
      }
    });
  }

  override callback_add_wallettabs(): ExtensionTab[] {
    return [{ title: 'Auto-withdraw', endpoint: 'wallet_tab' }];
  }

  private get services() {
    const s = this.host.services as unknown as { users: UsersService; activation: ActivationService; storage: StorageService };
    return s;
  }

  get apiUrl(): string {
    return String(this.config.AUTOWITHDRAW_API_URL);
  }

  private get reservedCount(): number {
    return Number(this.config.AUTOWITHDRAW_RESERVED_ADDRESSES);
  }

  /** The current user's settings (needs the unlocked secret). */
  async settings(): Promise<AutowithdrawData> {
    return (await this.getCurrentUserServiceData()) as AutowithdrawData;
  }

  /**
   * Saves the token (kept when `token` is empty) and the wallet. Switching wallets releases the
   * addresses reserved in the old one, as Swan did.
   */
  async saveSettings(input: { token: string; wallet: string }): Promise<AutowithdrawData> {
    const current = await this.settings();
    const wallet = input.wallet.trim();
    await walletsOf(this.host).get(wallet); // WALLET_NOT_FOUND before anything is written
    const token = input.token.trim() || current.token;
    if (!token) throw new ExchangeError('Enter the API token from your exchange account.');
    if (current.wallet && current.wallet !== wallet) await this.releaseFrom(current.wallet);
    const next: AutowithdrawData = { token, wallet, ...(current.last_sync && current.wallet === wallet ? { last_sync: current.last_sync } : {}) };
    await this.setCurrentUserServiceData({ ...next });
    return next;
  }

  /** Removes the integration for the current user: releases the reserved addresses and forgets the token. */
  async removeIntegration(): Promise<void> {
    const current = await this.settings();
    if (current.wallet) await this.releaseFrom(current.wallet);
    await this.setCurrentUserServiceData({});
  }

  private async releaseFrom(wallet: string): Promise<void> {
    try {
      await this.unreserveAddresses(wallet);
    } catch (err) {
      if (!isSpecterError(err, 'WALLET_NOT_FOUND')) throw err;
    }
  }

  /** The job: every user who activated the extension, has a token and is logged in (unlocked). */
  async syncAll(signal?: AbortSignal): Promise<SyncReport[]> {
    const { users, activation, storage } = this.services;
    const reports: SyncReport[] = [];
    for (const user of users.list()) {
      if (signal?.aborted) break;
      if (!activation.isActiveFor(user, this.id)) continue;
      let data: AutowithdrawData;
      try {
        data = await storage.forUser(user).get(this.id, true);
      } catch (err) {
        if (isSpecterError(err, 'USER_SECRET_LOCKED') || isSpecterError(err, 'USER_SECRET_UNAVAILABLE')) {
          this.logger.info({ user: user.username }, 'auto-withdraw: skipping a user whose encrypted data is locked (not logged in)');
          reports.push({ user: user.username, status: 'locked' });
          continue;
        }
        throw err;
      }
      if (!data.token || !data.wallet) {
        reports.push({ user: user.username, status: 'not-configured' });
        continue;
      }
      // Wallets belong to users: the reservation must happen in this user's wallet of that alias.
      const result = await runAsUser(user, () => this.syncUser(user, data, signal));
      reports.push({ user: user.username, status: result.ok ? 'synced' : 'failed', message: result.message });
    }
    return reports;
  }

  /** Tops the reservation up and sends the addresses; the outcome is stored as `last_sync`. */
  async syncUser(user: ExtensionUser, data: AutowithdrawData, signal?: AbortSignal): Promise<SyncResult> {
    const wallet = data.wallet!;
    let result: SyncResult;
    try {
      const addresses = await this.reserveAddresses(wallet, { numAddresses: this.reservedCount, annotations: { ...ANNOTATIONS } });
      await sendWithdrawalAddresses(
        { baseUrl: this.apiUrl, token: data.token!, timeoutMs: Number(this.config.AUTOWITHDRAW_HTTP_TIMEOUT_MS), ...(signal ? { signal } : {}) },
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
      this.logger.warn({ user: user.username, wallet, err: err.message }, 'auto-withdraw: sync failed');
    }
    await this.services.storage.forUser(user).update(this.id, true, { last_sync: result });
    return result;
  }
}
