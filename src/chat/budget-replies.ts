import { DomainError } from '../common/domain-errors';
import { budgetName, BudgetView } from '../budgets/budget-month';
import { budgetCategory, BudgetsService } from '../budgets/budgets.service';
import type { Ledger } from '../ledgers/ledger.entity';
import { findCurrency } from '../money/currency';
import { answer, ChatAnswer, mistake } from './format';
import { parseAmountWord } from './parse';

/** In Telegram's words, as the chat core answers (Slack rewords its commands). */
const BUDGET_USAGE =
  'Write it like this: /budget food 300 (optional currency: /budget travel 500 EUR; /budget * 2000 for all spending; /budget food off to remove it).';
const BAR_CELLS = 10;

/**
 * `/budget CATEGORY AMOUNT [CUR]` and `/budget CATEGORY off` (docs/API.md §8),
 * for every chat front door: the reply, or what was wrong with the usage.
 */
export async function budgetCommand(budgets: BudgetsService, ledger: Ledger, text: string): Promise<ChatAnswer> {
  try {
    return await setOrRemove(budgets, ledger, text);
  } catch (error) {
    if (error instanceof DomainError) return mistake(`${error.message}. ${BUDGET_USAGE}`);
    throw error;
  }
}

/** `/budgets`: this month against each budget. */
export async function budgetsOverview(budgets: BudgetsService, ledger: Ledger): Promise<string> {
  const { month, items } = await budgets.list(ledger);
  if (items.length === 0) return `No budgets yet. ${BUDGET_USAGE}`;
  return [`Budgets for ${month}:`, ...items.map(budgetLine)].join('\n');
}

async function setOrRemove(budgets: BudgetsService, ledger: Ledger, text: string): Promise<ChatAnswer> {
  const words = text.trim().split(/\s+/u).filter(Boolean);
  if (words.length === 2 && words[1].toLowerCase() === 'off') {
    const category = budgetCategory(words[0]);
    await budgets.remove(ledger, category);
    return answer(`Budget for ${budgetName(category)} removed.`);
  }
  const amount = words.length >= 2 && words.length <= 3 ? parseAmountWord(words[1]) : undefined;
  if (!amount) return mistake(words.length === 0 ? BUDGET_USAGE : `I could not read "${text.trim()}". ${BUDGET_USAGE}`);
  const code = words[2]?.toUpperCase();
  if (code && !findCurrency(code)) return mistake(`"${words[2]}" is not a currency code. ${BUDGET_USAGE}`);
  if (code && amount.currency && code !== amount.currency)
    return mistake(`${words[1]} and ${words[2]} name two different currencies. ${BUDGET_USAGE}`);
  const { budget, created } = await budgets.set(ledger, words[0], {
    amount: amount.amount,
    currency: code ?? amount.currency,
  });
  return answer(
    `${created ? 'Budget set' : 'Budget changed'}: ${budgetName(budget.category)}, ${budget.amount} ${budget.currency} a month. I will tell this chat at 80% and at 100%.\n${budgetLine(budget)}`,
  );
}

/** "food ███░░░░░░░ 34% · 102.00 of 300.00 USD" */
function budgetLine(budget: BudgetView): string {
  const filled = Math.min(BAR_CELLS, Math.floor(budget.percent / (100 / BAR_CELLS)));
  const bar = '█'.repeat(filled) + '░'.repeat(BAR_CELLS - filled);
  const over = budget.remaining.startsWith('-') ? `, over by ${budget.remaining.slice(1)}` : '';
  return `${budgetName(budget.category)} ${bar} ${budget.percent}% · ${budget.spent} of ${budget.amount} ${budget.currency}${over}`;
}
