/**
 * What time it is. Every "today" and "this month" of budgets and recurring
 * postings asks this, so tests can move time with a fake instead of waiting.
 */
export class Clock {
  now(): Date {
    return new Date();
  }
}
