import { Injectable } from '@nestjs/common';
import { Database } from '../database/database';
import { addDays } from '../common/calendar';
import { categoryTotals, dailySeries } from '../expenses/totals.repository';
import { ExpenseFilter, ExpensesService } from '../expenses/expenses.service';
import type { Ledger } from '../ledgers/ledger.entity';
import { Money } from '../money/money';
import type { ChartData } from './chart-image';

/** Bars beyond this many categories are drawn together as "other". */
const MAX_CATEGORIES = 15;
/** Up to this many days the trend has a point per day; longer, a point per month. */
const MAX_DAILY_BUCKETS = 92;

/** The chart of a ledger's spending over the list's filters (docs/API.md §8), for GET /expenses/chart.png and /chart. */
@Injectable()
export class ChartsService {
  constructor(
    private readonly database: Database,
    private readonly expenses: ExpensesService,
  ) {}

  async png(ledger: Ledger, filter: ExpenseFilter): Promise<Buffer> {
    const data = await this.data(ledger, this.expenses.checkFilter(filter));
    // Chart.js and the canvas binding load with the first chart, not at start-up: most processes never draw one.
    const { renderChart } = await import('./chart-image');
    return renderChart(data);
  }

  async data(ledger: Ledger, filter: ExpenseFilter): Promise<ChartData> {
    const { perCategory, days } = await this.database.read(async (db) => ({
      perCategory: (await categoryTotals(db, ledger.id, filter)).filter(
        (row) => !filter.category || row.category === filter.category,
      ),
      days: await dailySeries(db, ledger.id, filter),
    }));
    const currencies = [...new Set([...perCategory, ...days].map((row) => row.currency))].sort();

    // Biggest categories first (by their largest amount in any currency); the rest become "other".
    const largest = new Map<string, number>();
    for (const row of perCategory)
      largest.set(row.category, Math.max(largest.get(row.category) ?? 0, plotted(row.total, row.currency)));
    const ranked = [...largest.keys()].sort((x, y) => largest.get(y)! - largest.get(x)! || x.localeCompare(y));
    const shown = ranked.length > MAX_CATEGORIES ? ranked.slice(0, MAX_CATEGORIES - 1) : ranked;
    const categories = ranked.length > shown.length ? [...shown, 'other'] : shown;
    const byCategory = currencies.map((currency) => {
      const amounts = categories.map(() => 0);
      for (const row of perCategory) {
        if (row.currency !== currency) continue;
        const at = shown.indexOf(row.category);
        amounts[at === -1 ? categories.length - 1 : at] += plotted(row.total, currency);
      }
      return { currency, amounts };
    });

    const first = filter.from ?? days[0]?.date;
    const last = filter.to ?? days.at(-1)?.date;
    const buckets = first && last ? bucketsBetween(first, last) : [];
    const bucketOf =
      buckets.length > 0 && buckets[0].length === 7 ? (date: string) => date.slice(0, 7) : (date: string) => date;
    const trend = currencies.map((currency) => {
      const amounts = buckets.map(() => 0);
      for (const row of days)
        if (row.currency === currency) amounts[buckets.indexOf(bucketOf(row.date))] += plotted(row.total, currency);
      return { currency, amounts };
    });

    const period =
      filter.from || filter.to ? `${filter.from ?? first ?? '…'} – ${filter.to ?? last ?? '…'}` : 'all time';
    return { period, category: filter.category, categories, byCategory, buckets, trend };
  }
}

/** Minor units as a number of major units, for drawing only. */
function plotted(total: string, currency: string): number {
  return Number(Money.ofMinor(total, currency).format());
}

/** Every day from first to last, or every month when that is too many days. */
function bucketsBetween(first: string, last: string): string[] {
  const days: string[] = [];
  for (let day = first; day <= last && days.length <= MAX_DAILY_BUCKETS; day = addDays(day, 1)) days.push(day);
  if (days.length <= MAX_DAILY_BUCKETS) return days;
  const months: string[] = [];
  for (let month = first.slice(0, 7); month <= last.slice(0, 7); month = addDays(`${month}-28`, 7).slice(0, 7))
    months.push(month);
  return months;
}
