// Small helpers every part of the page uses.

export const $ = (id) => document.getElementById(id);

/**
 * 128 random bits as hex, for Idempotency-Keys. crypto.randomUUID exists only in
 * secure contexts (https, localhost); getRandomValues works on http://tally.home too.
 */
export function newKey() {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');
}

export function describe(expense) {
  return `${expense.amount} ${expense.currency} for ${expense.category} on ${expense.date}`;
}

/** {"USD": "12.50"} → "12.50 USD"; several currencies joined by " · ". */
export function money(totals) {
  const parts = Object.entries(totals).map(([currency, amount]) => `${amount} ${currency}`);
  return parts.length ? parts.join(' · ') : '0';
}

export function todayLocal() {
  const now = new Date();
  const pad = (n) => String(n).padStart(2, '0');
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
}

export function button(text, options = {}) {
  return Object.assign(document.createElement('button'), { type: 'button', textContent: text, ...options });
}
