import { Composer } from 'grammy';
import { todayIn } from '../../common/calendar';
import { DomainError, NotFoundError } from '../../common/domain-errors';
import type { RecurringView } from '../../recurring/recurring.service';
import type { Every } from '../../recurring/schedule';
import { authorOf, BotContext } from '../bot-context';
import type { BotDeps } from '../bot-deps';
import { parseAdd, resolveDate } from '../../chat/parse';

export const RECURRING_USAGE =
  'Write it like this: /recurring add 9.99 subscriptions netflix monthly 15 (monthly DAY 1-31, weekly DAY mon-sun, or daily; add @2026-11-01 at the end to start on that date). /recurring lists them, /recurring stop 3 ends one.';

const EVERY_WORDS: Record<string, Every> = { daily: 'day', weekly: 'week', monthly: 'month' };
const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];

/** /recurring, /recurring add …, /recurring stop ID (docs/API.md §8). Postings and their messages come from RecurringService. */
export function recurringFeature(deps: BotDeps): Composer<BotContext> {
  const feature = new Composer<BotContext>();

  feature.command('recurring', async (ctx) => {
    const done = await ctx.once(async (ledger) => {
      const [verb, ...rest] = ctx.match.trim().split(/\s+/u).filter(Boolean);
      try {
        if (!verb) return listText(await deps.recurring.list(ledger));
        if (verb.toLowerCase() === 'add') {
          const parsed = parseRecurring(rest, todayIn(ledger.timezone, deps.clock.now()));
          if ('error' in parsed) return parsed.error;
          const rule = await deps.recurring.create(ledger, { ...parsed, author: authorOf(ctx) });
          return `Recurring expense #${rule.id}: ${describe(rule)}; next on ${rule.next}. /recurring stop ${rule.id} ends it.`;
        }
        if (verb.toLowerCase() === 'stop' && rest.length === 1) {
          const rule = await deps.recurring.stop(ledger, rest[0].replace(/^#/, ''));
          return `Stopped recurring expense #${rule.id} (${describe(rule)}). What it recorded stays.`;
        }
        return RECURRING_USAGE;
      } catch (error) {
        if (error instanceof NotFoundError) return `${error.message}. /recurring lists them.`;
        if (error instanceof DomainError) return `Not set up: ${error.message}. ${RECURRING_USAGE}`;
        throw error;
      }
    });
    if (done) await ctx.reply(done.value);
  });

  return feature;
}

type ParsedRecurring =
  | {
      amount: string;
      currency?: string;
      category: string;
      description: string;
      every: Every;
      day?: number;
      start?: string;
    }
  | { error: string };

/** `AMOUNT [CUR] CATEGORY [DESCRIPTION…] daily|weekly DAY|monthly DAY [@START]`, the schedule word the last of its kind. */
export function parseRecurring(words: string[], today: string): ParsedRecurring {
  let rest = [...words];
  let start: string | undefined;
  if (rest.at(-1)?.startsWith('@')) {
    start = resolveDate(rest.at(-1)!.slice(1), today);
    if (!start) return { error: `"${rest.at(-1)}" is not a date I know: use @today or @2026-11-20.` };
    rest = rest.slice(0, -1);
  }
  const lower = rest.map((word) => word.toLowerCase());
  const at = Math.max(...Object.keys(EVERY_WORDS).map((word) => lower.lastIndexOf(word)));
  if (at < 0) return { error: `Say how often: daily, weekly or monthly. ${RECURRING_USAGE}` };
  const every = EVERY_WORDS[rest[at].toLowerCase()];
  const after = rest.slice(at + 1);
  if (after.length > 1 || (every === 'day' && after.length > 0))
    return { error: `I could not read "${after.join(' ')}" after ${rest[at]}. ${RECURRING_USAGE}` };
  let day: number | undefined;
  if (after.length === 1) {
    const word = after[0].toLowerCase();
    const weekday = WEEKDAYS.indexOf(word.slice(0, 3));
    day =
      every === 'week' && weekday >= 0 && /^[a-z]+$/.test(word)
        ? weekday + 1
        : /^\d{1,2}$/.test(word)
          ? Number(word)
          : NaN;
    if (Number.isNaN(day))
      return {
        error: `"${after[0]}" is not a ${every === 'week' ? 'weekday (mon-sun or 1-7)' : 'day of the month (1-31)'}. ${RECURRING_USAGE}`,
      };
  }
  const expense = parseAdd(rest.slice(0, at).join(' '), today);
  if (!expense.ok) return { error: expense.error.replace(/Write it like this:.*$/u, RECURRING_USAGE) };
  if (expense.value.date) return { error: `Put the start date at the very end (@2026-11-01). ${RECURRING_USAGE}` };
  const { amount, currency, category, description } = expense.value;
  return { amount, currency, category, description, every, day, start };
}

function listText(rules: RecurringView[]): string {
  if (rules.length === 0) return `No recurring expenses. ${RECURRING_USAGE}`;
  return ['Recurring expenses:', ...rules.map((rule) => `#${rule.id} ${describe(rule)}; next ${rule.next}`)].join('\n');
}

function describe(rule: RecurringView): string {
  const description = rule.description ? ` (${rule.description})` : '';
  const when =
    rule.every === 'day'
      ? 'daily'
      : rule.every === 'week'
        ? `weekly on ${WEEKDAYS[(rule.day ?? 1) - 1]}`
        : `monthly on day ${rule.day}`;
  return `${rule.amount} ${rule.currency} for ${rule.category}${description}, ${when}`;
}
