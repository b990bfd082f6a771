/**
 * A wallet's chain tabs, inside the wallet pages' scope: History (balances, the transactions newest
 * first or by amount or label, paginated and searchable, unconfirmed ones marked), UTXOs (with
 * freeze), one transaction's page (inputs and outputs with whose they are, fee rate, sizes, raw
 * hex; what is stored when the node is away), and "Sync now". Everything comes from the
 * ChainService (src/managers/chain); without a node the tabs say what is missing (the wallet frame
 * links to the node page).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Specter } from '../../../specter/index.js';
import type { User } from '../../../managers/users/index.js';
import type { Wallet } from '../../../managers/wallets/index.js';
import { HISTORY_SORTS, SORT_DIRS, type HistorySort, type SortDir, type TxDetail, type TxView } from '../../../managers/chain/index.js';
import { isSpecterError } from '../../../errors/index.js';
import { flash } from '../../flash.js';
import { formBody, formList, formText, pathParam } from '../../schemas.js';
import { HtmlBytes } from '../../views.js';

export type RenderTab = (
  request: FastifyRequest,
  reply: FastifyReply,
  wallet: Wallet,
  tab: string,
  template: string,
  ctx: Record<string, unknown>,
) => Promise<unknown>;

const PAGE_SIZE = 50;
const walletParams = z.object({ wallet_alias: pathParam });
const txParams = z.object({ wallet_alias: pathParam, txid: z.string().regex(/^[0-9a-f]{64}$/, 'must be a transaction id (64 hex digits)') });
const historyQuery = z.object({
  page: z.coerce.number().int().min(1).max(1e9).catch(1).default(1),
  q: z.string().max(200).catch('').default(''),
  // Like `page`, a bad value falls back to the default order (a hand-edited link still shows the History).
  sort: z.enum(HISTORY_SORTS).catch('date').default('date'),
  dir: z.enum(SORT_DIRS).catch('desc').default('desc'),
});
/** The direction a column starts in when its header is chosen: newest, largest first; labels A→Z. */
const FIRST_DIR: Record<HistorySort, SortDir> = { date: 'desc', amount: 'desc', label: 'asc' };
const freezeBody = formBody({ outpoints: formList, action: formText });

/** The chain data a page shows, or why there is none (no node, node down) — never an error page. */
async function chainData<T>(load: () => Promise<T>): Promise<{ data: T | null; problem: string | null }> {
  try {
    return { data: await load(), problem: null };
  } catch (err) {
    if (isSpecterError(err) && /^NODE_|^RPC_/.test(err.key)) return { data: null, problem: err.message };
    throw err;
  }
}

export default async function walletChain(scope: FastifyInstance, { specter, render }: { specter: Specter; render: RenderTab }): Promise<void> {
  const app = scope.withTypeProvider<ZodTypeProvider>();
  const chain = specter.chain;
  const walletOf = (request: { params: { wallet_alias: string } }) => specter.walletManager.get(request.params.wallet_alias);
  const userOf = (request: { user: User | undefined }): User => request.user!;
  const url = (name: string, alias: string, params: Record<string, string | number> = {}) =>
    specter.endpoints.urlFor(`wallets_endpoint.${name}`, { wallet_alias: alias, ...params });
  const on = (endpoint: string) => ({ access: 'user' as const, endpoint: `wallets_endpoint.${endpoint}` });

  /**
   * The History's rows as HTML (wallets/components/history_rows.njk), kept with the page of
   * transactions they show: the chain service hands out the same page until something on it
   * changes (a sync, a label), so a view renders no row. A search's page is new each time. Kept as
   * bytes (HtmlBytes): a view does not encode them again either.
   */
  const renderedRows = new WeakMap<readonly TxView[], { unit: string; fiat: string; txUrl: string; html: HtmlBytes }>();
  const historyRows = async (alias: string, rows: readonly TxView[]): Promise<HtmlBytes> => {
    const unit = specter.configManager.values.unit;
    // The fiat value of each row follows the price in memory: a new rate renders the rows again.
    const price = specter.prices.view();
    const fiat = price.enabled && price.btcPrice ? `${price.currency}:${price.btcPrice}` : '';
    // One url_for per page, not per row: only the txid differs (64 hex digits, nothing to encode).
    const txUrl = url('transaction', alias, { txid: '0'.repeat(64) });
    const kept = renderedRows.get(rows);
    if (kept && kept.unit === unit && kept.fiat === fiat && kept.txUrl === txUrl) return kept.html;
    const [before, after] = txUrl.split('0'.repeat(64));
    // Only what the row shows.
    const view = rows.map((t) => ({
      txid: t.txid,
      category: t.category,
      amount: t.amount,
      confirmations: t.confirmations,
      time: t.time,
      label: t.label,
      url: `${before}${t.txid}${after}`,
    }));
    const html = await new Promise<string>((resolve, reject) =>
      scope.views.render('wallets/components/history_rows.njk', { rows: view, unit, price }, (err, out) => (err ? reject(err) : resolve(out ?? ''))),
    );
    const bytes = new HtmlBytes(html);
    renderedRows.set(rows, { unit, fiat, txUrl, html: bytes });
    return bytes;
  };

  app.get('/history/', { schema: { params: walletParams, querystring: historyQuery }, config: on('history') }, async (request, reply) => {
    const wallet = await walletOf(request);
    const user = userOf(request);
    const { q, sort, dir } = request.query;
    const { data, problem } = await chainData(async () => {
      const balance = await chain.balance(user, wallet.alias);
      if (!q) {
        // One read: the page asked for (its answer carries the total), again only past the end.
        let page = request.query.page;
        let slice = await chain.history(user, wallet.alias, { from: (page - 1) * PAGE_SIZE, count: PAGE_SIZE, sort, dir });
        const pages = Math.max(1, Math.ceil(slice.total / PAGE_SIZE));
        if (page > pages) {
          page = pages;
          slice = await chain.history(user, wallet.alias, { from: (page - 1) * PAGE_SIZE, count: PAGE_SIZE, sort, dir });
        }
        return { balance, rows: slice.transactions, total: slice.total, pages, page };
      }
      // Search needs every row; the list is paged after filtering.
      const { total: all } = await chain.history(user, wallet.alias, { from: 0, count: 1, sort, dir });
      const needle = q.toLowerCase();
      const matching: TxView[] = [];
      for (let from = 0; from < all; from += 1_000) {
        const chunk = await chain.history(user, wallet.alias, { from, count: 1_000, sort, dir });
        for (const t of chunk.transactions) {
          if (t.txid.includes(needle) || (t.label ?? '').toLowerCase().includes(needle) || t.addresses.some((a) => a.toLowerCase().includes(needle)))
            matching.push(t);
        }
      }
      const pages = Math.max(1, Math.ceil(matching.length / PAGE_SIZE));
      const page = Math.min(request.query.page, pages);
      return { balance, rows: matching.slice((page - 1) * PAGE_SIZE, page * PAGE_SIZE), total: matching.length, pages, page };
    });
    const rowsHtml = data ? await historyRows(wallet.alias, data.rows) : null;
    // The default order stays out of the links, so the plain History URL is the canonical one.
    const order = (s: HistorySort, d: SortDir) => ({ ...(s !== 'date' && { sort: s }), ...(d !== FIRST_DIR.date && { dir: d }) });
    const link = (page: number) => url('history', wallet.alias, { page, ...(q && { q }), ...order(sort, dir) });
    // A column header keeps the search and starts at page 1; the current column's header turns the order around.
    const columns = Object.fromEntries(
      HISTORY_SORTS.map((column) => {
        const next = column === sort ? (dir === 'asc' ? 'desc' : 'asc') : FIRST_DIR[column];
        return [column, { url: url('history', wallet.alias, { ...(q && { q }), ...order(column, next) }), active: column === sort }];
      }),
    );
    return render(request, reply, wallet, 'history', 'wallets/history.njk', {
      chain: data,
      // At the top level: where reply.render() looks for HtmlBytes.
      rows_html: rowsHtml,
      chain_problem: problem,
      q,
      sort,
      dir,
      columns,
      links: data ? { prev: data.page > 1 ? link(data.page - 1) : null, next: data.page < data.pages ? link(data.page + 1) : null } : {},
      sync_url: url('sync', wallet.alias),
    });
  });

  app.post('/sync', { schema: { params: walletParams }, config: on('sync') }, async (request, reply) => {
    const wallet = await walletOf(request);
    try {
      const result = await chain.sync(userOf(request), wallet.alias);
      await flash(
        request,
        `Synced: ${result.added} new and ${result.changed} changed transaction${result.added + result.changed === 1 ? '' : 's'}.`,
        'success',
      );
    } catch (err) {
      if (!isSpecterError(err)) throw err;
      await flash(request, err.fullMessage, 'error');
    }
    return reply.redirect(url('history', wallet.alias));
  });

  app.get('/utxos/', { schema: { params: walletParams }, config: on('utxos') }, async (request, reply) => {
    const wallet = await walletOf(request);
    const { data, problem } = await chainData(() => chain.utxos(userOf(request), wallet.alias));
    return render(request, reply, wallet, 'utxos', 'wallets/utxos.njk', {
      utxos: data,
      chain_problem: problem,
      freeze_url: url('utxos_freeze', wallet.alias),
    });
  });

  app.post('/utxos/freeze', { schema: { params: walletParams, body: freezeBody }, config: on('utxos_freeze') }, async (request, reply) => {
    const wallet = await walletOf(request);
    const frozen = request.body.action !== 'unfreeze';
    try {
      const done = await chain.freeze(userOf(request), wallet.alias, request.body.outpoints, frozen);
      await flash(
        request,
        `${done.length} coin${done.length === 1 ? '' : 's'} ${frozen ? 'frozen: they will not be spent' : 'unfrozen'}.`,
        'success',
      );
    } catch (err) {
      if (!isSpecterError(err)) throw err;
      await flash(request, err.fullMessage, 'error');
    }
    return reply.redirect(url('utxos', wallet.alias));
  });

  app.get('/tx/:txid', { schema: { params: txParams }, config: on('transaction') }, async (request, reply) => {
    const wallet = await walletOf(request);
    const user = userOf(request);
    const { txid } = request.params;
    let detail: TxDetail | null = null;
    let stored: TxView | null = null;
    let problem: string | null = null;
    try {
      detail = await chain.transactionDetail(user, wallet.alias, txid);
    } catch (err) {
      if (isSpecterError(err, 'NOT_FOUND')) reply.code(404);
      else if (isSpecterError(err) && /^NODE_|^RPC_/.test(err.key)) {
        // The node is away: what the stored history knows, and a word that the rest needs the node.
        problem = err.message;
        stored = await chain.storedTransaction(user, wallet.alias, txid);
      } else throw err;
    }
    const tx = detail ?? stored;
    const labelOf = (address: string | null) => (address !== null && wallet.findAddress(address) ? wallet.getAddressInfo(address).label : null);
    return render(request, reply, wallet, 'history', 'wallets/transaction.njk', {
      tx,
      detail,
      txid,
      chain_problem: problem,
      // The wallet's own addresses show their label beside them.
      inputs: detail?.inputs.map((i) => ({ ...i, label: labelOf(i.address) })) ?? [],
      outputs: detail?.outputs.map((o) => ({ ...o, label: labelOf(o.address) })) ?? [],
      addresses: detail
        ? []
        : (stored?.addresses ?? []).map((a) => {
            const own = wallet.findAddress(a);
            return { address: a, mine: own !== undefined, change: own?.change ?? false };
          }),
      back_url: url('history', wallet.alias),
      // An unconfirmed transaction the wallet paid for can be replaced (RBF) from here.
      rbf:
        tx && tx.confirmations === 0 && (tx.category === 'send' || tx.category === 'selftransfer')
          ? { bump: url('transaction_bump', wallet.alias, { txid }), cancel: url('transaction_cancel', wallet.alias, { txid }) }
          : null,
    });
  });
}
