/**
 * The chat core answers in Telegram's words (/add, /undo, /list …). In Slack
 * every command is a word after /tally, so the same answers are reworded here,
 * in one place, rather than written twice.
 */
export function slackWords(text: string): string {
  return text
    .replace(/\/add(?=\s)/gu, '/tally')
    .replace(/\/(list|total|undo|help|token|delete|edit|budgets|budget|chart)\b/gu, '/tally $1');
}

export const SLACK_HELP = [
  "Tally keeps this channel's expenses; a direct message with me is your own ledger.",
  '',
  '/tally 12.50 food lunch with Ann: record an expense (optional: a currency such as EUR or €12, and @yesterday or @2026-11-20 at the end)',
  '@Tally 12.50 food lunch: the same, mentioning me in a channel; in a direct message, just write it',
  'Edit the message you sent to correct the expense it recorded.',
  '/tally list food week: newest first (category and period optional)',
  '/tally total month: totals per currency and per category',
  '/tally undo: remove the last expense you added here',
  '/tally delete 12: remove expense #12 (the numbers are in /tally list)',
  '/tally budget food 300: a monthly budget (optional currency; * for all spending; /tally budget food off removes it)',
  '/tally budgets: this month against each budget (I post here at 80% and at 100%)',
  '/tally chart food month: spending per category and over time, as a picture (category and period optional)',
  '/tally token: an API token for your own ledger (direct message only, shown only to you)',
  '',
  'Periods: today, yesterday, week, month, year, all.',
].join('\n');
