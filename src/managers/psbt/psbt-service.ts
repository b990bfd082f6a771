/**
 * The send flow of a wallet: create a PSBT (create.ts), keep it pending with its coins locked
 * (pending-store.ts, locks.ts), merge signed copies (signatures.ts), broadcast (broadcast.ts).
 * Calls that need Bitcoin Core run through ChainService.withWallet: linked to the wallet's Core
 * wallet and in turn with the wallet's syncs, so a sync never sees half a PSBT operation.
 */
import { SpecterError } from '../../errors/index.js';
import type { Logger } from '../../log/index.js';
import type { JsonFileStore } from '../../persistence/index.js';
import { Psbt, psbtShape, unsignedTxid } from '../../bitcoin/psbt.js';
import type { ChainHooks, ChainService } from '../chain/chain-service.js';
import type { ChainUser } from '../chain/core-link.js';
import type { NodeManager } from '../nodes/node-manager.js';
import type { Wallet, WalletManager } from '../wallets/index.js';
import { estimateFees, type FeeEstimates } from './fees.js';
import type { FeeSource } from './fee-source.js';
import { fundPsbt, type CreatePsbtRequest, type PsbtContext } from './create.js';
import { broadcast } from './broadcast.js';
import { checkPendingAfterSync, lockInputs, relockPending, unlockInputs } from './locks.js';
import { pendingStore, type PendingPsbt, type PendingPsbtStore } from './pending-store.js';
import { replacePsbt, type ReplaceRequest } from './rbf.js';
import { reviewPsbt, type PsbtReview } from './review.js';
import { addSignatures, type SignaturesResult } from './signatures.js';
import { psbtCreatedEvent, type SendListeners } from './send-events.js';

export interface PsbtServiceOptions extends SendListeners {
  chain: ChainService;
  nodes: NodeManager;
  store: JsonFileStore;
  walletsOf(user: ChainUser): WalletManager;
  logger: Logger;
  /** Unix seconds (tests inject a clock). */
  now?: () => number;
  /** The fee source setting (outside sources with Core as fallback); without it, Core's estimate. */
  feeSource?: FeeSource;
}

/** A pending PSBT as the API and pages show it. */
export interface PendingPsbtView extends PsbtReview {
  psbt: string;
  /** The transaction this one replaces (RBF), or null. */
  replaces: string | null;
  created: number;
  complete: boolean;
  hex?: string;
}

export class PsbtService {
  constructor(private readonly options: PsbtServiceOptions) {}

  /**
   * What the chain layer calls (ChainService's `hooks`): after a new link the pending PSBTs' coins
   * are locked again (Core forgets locks when it restarts); after a sync, PSBTs whose coins got
   * spent are dropped.
   */
  readonly chainHooks: ChainHooks = {
    linked: ({ rpc, user, alias }) => relockPending(rpc, this.pending(user, alias)),
    afterSync: ({ rpc, user, alias }) => checkPendingAfterSync(rpc, this.pending(user, alias), this.options.logger),
  };

  private pending(user: ChainUser, alias: string): PendingPsbtStore {
    return pendingStore(this.options.store, this.options.walletsOf(user).walletsFolder, alias);
  }

  private view(record: PendingPsbt, wallet: Wallet): PendingPsbtView {
    const review = reviewPsbt(Psbt.fromBase64(record.psbt), wallet, {
      txid: record.txid,
      vsize: record.vsize,
      signedBy: record.signed_by,
      labels: record.labels,
    });
    return {
      ...review,
      psbt: record.psbt,
      replaces: record.replaces,
      created: record.created,
      complete: record.complete,
      ...(record.hex ? { hex: record.hex } : {}),
    };
  }

  private async record(pending: PendingPsbtStore, txid: string): Promise<PendingPsbt> {
    const record = await pending.get(txid);
    if (!record) {
      throw new SpecterError('PSBT_NOT_FOUND', `There is no pending PSBT ${txid} in this wallet.`, {
        hint: 'It may have been broadcast, deleted or replaced; see the wallet’s pending PSBTs and its history.',
        details: { txid },
      });
    }
    return record;
  }

  private withCore<T>(user: ChainUser, alias: string, fn: (ctx: PsbtContext) => Promise<T>): Promise<T> {
    return this.options.chain.withWallet(user, alias, (linked) => fn({ ...linked, pending: this.pending(user, alias) }));
  }

  /** Fee-rate suggestions (sat/vB) from the fee source setting, or the active node's estimatesmartfee, with a notice when it has none. */
  async fees(): Promise<FeeEstimates> {
    if (this.options.feeSource) return this.options.feeSource.estimates();
    return this.coreFees();
  }

  /** Bitcoin Core's estimatesmartfee on the active node (the fee source's fallback). */
  async coreFees(): Promise<FeeEstimates> {
    return estimateFees(await this.options.nodes.client());
  }

  /** Create a PSBT, keep it pending and lock its coins on Core. */
  async create(user: ChainUser, alias: string, request: CreatePsbtRequest): Promise<PendingPsbtView> {
    return this.withCore(user, alias, async (ctx) => {
      // Core may have restarted since the last sync: the coins of pending PSBTs must not be picked again.
      await relockPending(ctx.rpc, ctx.pending);
      const created = await fundPsbt(ctx, request);
      const labels: Record<string, string> = {};
      for (const r of request.recipients) if (r.label?.trim()) labels[String(r.address).trim()] = r.label.trim();
      return this.keep(ctx, created.psbt, created.fee, labels, null);
    }).then((view) => this.announce(user, alias, view));
  }

  /** Tell the listeners (the extensions' psbt_created); their failures never fail the send flow. */
  private async announce(user: ChainUser, alias: string, view: PendingPsbtView): Promise<PendingPsbtView> {
    await this.listen(() => this.options.onPsbtCreated?.(psbtCreatedEvent(user.id, alias, view, view.replaces)), alias);
    return view;
  }

  private async listen(fire: () => unknown, alias: string): Promise<void> {
    try {
      await fire();
    } catch (err) {
      this.options.logger.warn({ err, wallet: alias }, 'send flow listener failed');
    }
  }

  /**
   * Replace-by-fee for an unconfirmed send: the same payments at `fee_rate` (bump), or with
   * `cancel` everything back to the wallet's change. A new pending PSBT, to be signed again.
   */
  async replace(user: ChainUser, alias: string, txid: string, request: ReplaceRequest, cancel = false): Promise<PendingPsbtView> {
    return this.withCore(user, alias, async (ctx) => {
      const replacement = await replacePsbt(ctx, txid, request, cancel);
      return this.keep(ctx, replacement.psbt, replacement.fee, {}, txid);
    }).then((view) => this.announce(user, alias, view));
  }

  /** Store a new pending PSBT, then lock its coins (undone when locking fails). */
  private async keep(ctx: PsbtContext, psbt: Psbt, fee: number, labels: Record<string, string>, replaces: string | null): Promise<PendingPsbtView> {
    const analyzed = await ctx.rpc.call<{ estimated_vsize?: number }>('analyzepsbt', [psbt.toBase64()]);
    const shape = psbtShape(psbt);
    const record: PendingPsbt = {
      txid: unsignedTxid(shape),
      psbt: psbt.toBase64(),
      created: Math.floor(this.options.now?.() ?? Date.now() / 1000),
      inputs: shape.inputs.map((i) => `${i.txid}:${i.vout}`),
      fee,
      vsize: analyzed.estimated_vsize ?? psbt.data.globalMap.unsignedTx.toBuffer().length,
      signed_by: [],
      complete: false,
      hex: null,
      labels,
      replaces,
    };
    await ctx.pending.put(record);
    try {
      await lockInputs(ctx.rpc, record.inputs);
    } catch (err) {
      await ctx.pending.remove([record.txid]);
      throw err;
    }
    return this.view(record, ctx.wallet);
  }

  /** The wallet's pending PSBTs, oldest first (read from disk: works while the node is away). */
  async list(user: ChainUser, alias: string): Promise<PendingPsbtView[]> {
    const wallet = await this.options.walletsOf(user).get(alias);
    return (await this.pending(user, alias).list()).map((r) => this.view(r, wallet));
  }

  async get(user: ChainUser, alias: string, txid: string): Promise<PendingPsbtView> {
    const wallet = await this.options.walletsOf(user).get(alias);
    return this.view(await this.record(this.pending(user, alias), txid), wallet);
  }

  /** Merge a signed copy (PSBT base64/hex/binary, or a final raw transaction); finalizes when complete. */
  async addSignatures(user: ChainUser, alias: string, txid: string, signed: string): Promise<SignaturesResult> {
    return this.withCore(user, alias, async (ctx) => {
      const record = await this.record(ctx.pending, txid);
      const { record: next, result } = await addSignatures(ctx, record, signed);
      if (next !== record) await ctx.pending.put(next);
      return result;
    });
  }

  /** testmempoolaccept, sendrawtransaction, then the pending PSBT goes and the wallet syncs. */
  async broadcast(user: ChainUser, alias: string, txid: string): Promise<{ txid: string }> {
    let amount = 0;
    let fee = 0;
    const sent = await this.withCore(user, alias, async (ctx) => {
      const record = await this.record(ctx.pending, txid);
      ({ amount, fee } = this.view(record, ctx.wallet));
      const id = await broadcast(ctx.rpc, record, ctx.wallet.descriptor.threshold);
      // Its coins are spent now: Core drops their locks itself; nothing to unlock. The transaction is
      // out, so a failure to update the file is only logged (the next sync drops the record anyway).
      await ctx.pending
        .remove([record.txid])
        .catch((err: unknown) => this.options.logger.warn({ err, wallet: alias, txid: id }, 'broadcast PSBT not removed'));
      return id;
    });
    // The history shows the send at once (a failed sync does not undo the broadcast).
    await this.options.chain.sync(user, alias).catch((err) => this.options.logger.warn({ err, wallet: alias }, 'sync after broadcast failed'));
    await this.listen(() => this.options.onBroadcast?.({ user: user.id, wallet: alias, txid: sent, amount, fee }), alias);
    return { txid: sent };
  }

  /** Delete a pending PSBT and unlock its coins. */
  async remove(user: ChainUser, alias: string, txid: string): Promise<void> {
    await this.withCore(user, alias, async (ctx) => {
      const record = await this.record(ctx.pending, txid);
      await unlockInputs(ctx.rpc, record.inputs);
      await ctx.pending.remove([record.txid]);
    });
  }
}
