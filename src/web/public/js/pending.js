// Adds that have not been answered yet. Each is kept on this device (localStorage) with its own
// Idempotency-Key before it is first sent, and sent again with the same key until the server
// answers: a send that reached the server but lost its answer is replayed, not recorded twice.
import { api, Handled, Unreachable } from './api.js';
import { $ } from './dom.js';

const RETRY_MS = 10_000;
let storageKey = 'tally.pending';
let chain = Promise.resolve();
let retryTimer = null;
let onSent = () => undefined;

/** Whose queue this is (a token or a Telegram user and group); `sent(answer, item)` hears each answer. */
export function usePendingQueue(scope, sent) {
  storageKey = `tally.pending:${scope}`;
  onSent = sent;
  render();
}

function load() {
  try {
    return JSON.parse(localStorage.getItem(storageKey) || '[]');
  } catch {
    return [];
  }
}

function save(items) {
  if (items.length) localStorage.setItem(storageKey, JSON.stringify(items));
  else localStorage.removeItem(storageKey);
  render();
}

export function enqueue(body, key) {
  const items = load().filter((item) => item.key !== key);
  save([...items, { key, body, at: new Date().toISOString() }]);
}

/** True while the add with this key waits for an answer. */
export function isPending(key) {
  return load().some((item) => item.key === key);
}

/**
 * Sends what waits, oldest first, each with its own key. Stops at the first that
 * cannot reach the server and tries again later (and when the browser says it is
 * online). Calls run one after another, so an add is never sent twice at once.
 */
export function flushPending() {
  chain = chain.then(sendAll, sendAll);
  return chain;
}

async function sendAll() {
  for (const item of load()) {
    let answer;
    try {
      answer = await api('POST', '/expenses', { body: item.body, key: item.key, quiet: true });
    } catch (error) {
      if (error instanceof Unreachable) return scheduleRetry();
      if (error instanceof Handled) return; // signed out
      throw error;
    }
    if (answer.status === 409 && !answer.data.existingId) return scheduleRetry(); // its first send still runs
    save(load().filter((waiting) => waiting.key !== item.key));
    onSent(answer, item);
  }
}

function scheduleRetry() {
  clearTimeout(retryTimer);
  retryTimer = setTimeout(() => void flushPending(), RETRY_MS);
}

window.addEventListener('online', () => void flushPending());

/** Pending adds above the list, marked as waiting. */
function render() {
  const list = $('pending');
  if (!list) return;
  const items = load();
  list.hidden = items.length === 0;
  list.replaceChildren(
    ...items.map((item) => {
      const entry = document.createElement('li');
      entry.className = 'pending';
      entry.dataset.key = item.key;
      const { amount, currency, category, description, date } = item.body;
      const what = Object.assign(document.createElement('span'), {
        textContent: [date, `${amount}${currency ? ` ${currency}` : ''}`, category, description]
          .filter(Boolean)
          .join(' · '),
      });
      const state = Object.assign(document.createElement('span'), {
        className: 'badge',
        textContent: 'Pending: sent when the connection returns',
      });
      entry.append(what, state);
      return entry;
    }),
  );
}
