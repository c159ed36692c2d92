// The list: newest first, a page at a time, with count and total of everything the filter matches;
// each row can be edited in place (edit.js) or deleted with a confirmation and an undo.
import { $, button, describe, money, newKey } from './dom.js';
import { api, ignoreHandled, showBanner } from './api.js';
import { filters } from './filters.js';
import { post, setStatus } from './add.js';
import { startEdit } from './edit.js';
import { onRefresh, refresh } from './refresh.js';

const PAGE = 20;
let nextCursor = null;

async function loadPage(append) {
  const params = filters();
  params.set('limit', String(PAGE));
  if (append && nextCursor) params.set('cursor', nextCursor);
  const answer = await api('GET', `/expenses?${params}`);
  if (answer.status !== 200) return showBanner(answer.data.message);
  const rows = $('rows');
  if (!append) rows.replaceChildren();
  for (const expense of answer.data.items) rows.append(renderRow(expense));
  $('count').textContent = String(answer.data.count);
  $('total').textContent = money(answer.data.total);
  nextCursor = answer.data.nextCursor;
  $('more').hidden = !nextCursor;
}

function renderRow(expense) {
  const row = document.createElement('tr');
  row.dataset.id = expense.id;
  for (const [text, className, label] of [
    [expense.date, 'date', 'Date'],
    [`${expense.amount} ${expense.currency}`, 'amount', 'Amount'],
    [expense.category, 'category', 'Category'],
    [expense.description, 'description', 'Description'],
  ]) {
    const cell = document.createElement('td');
    cell.textContent = text;
    cell.className = className;
    cell.dataset.label = label;
    row.append(cell);
  }
  const actions = document.createElement('td');
  actions.className = 'row-actions';
  const edit = button('Edit');
  edit.setAttribute('aria-label', `Edit ${describe(expense)}`);
  edit.addEventListener('click', () => startEdit(expense, row).catch(ignoreHandled));
  const remove = button('Delete');
  remove.setAttribute('aria-label', `Delete ${describe(expense)}`);
  remove.addEventListener('click', () => confirmDelete(expense, actions));
  actions.append(edit, ' ', remove);
  row.append(actions);
  return row;
}

function confirmDelete(expense, cell) {
  const yes = button('Yes, delete');
  const keep = button('Keep', { className: 'secondary' });
  const original = [...cell.childNodes];
  keep.addEventListener('click', () => cell.replaceChildren(...original));
  yes.addEventListener('click', async () => {
    yes.disabled = true;
    try {
      const answer = await api('DELETE', `/expenses/${encodeURIComponent(expense.id)}`, { key: newKey() });
      if (answer.status !== 204 && answer.status !== 404) return;
      setStatus(`Deleted ${describe(expense)}.`, 'ok', {
        label: 'Undo',
        run: async () => {
          const { amount, currency, category, description, date } = expense;
          await post({ amount, currency, category, description, date }, newKey()).catch(ignoreHandled);
          setStatus(`Restored ${describe(expense)}.`, 'ok');
          await refresh();
        },
      });
      await refresh();
    } catch (error) {
      ignoreHandled(error);
    }
  });
  cell.replaceChildren(yes, ' ', keep);
  yes.focus();
}

/** The categories used so far, offered while typing one. */
async function loadCategories() {
  const answer = await api('GET', '/expenses/summary');
  if (answer.status !== 200) return;
  $('categories').replaceChildren(
    ...answer.data.categories.map((c) => Object.assign(document.createElement('option'), { value: c.category })),
  );
}

export function startList() {
  onRefresh(() => loadPage(false));
  onRefresh(loadCategories);
  $('filter-form').addEventListener('submit', (event) => {
    event.preventDefault();
    void refresh();
  });
  $('more').addEventListener('click', () => loadPage(true).catch(ignoreHandled));
  $('download').addEventListener('click', downloadCsv);
}

async function downloadCsv() {
  try {
    const answer = await api('GET', `/expenses/export.csv?${filters()}`);
    if (answer.status !== 200) return showBanner(answer.data.message);
    const link = Object.assign(document.createElement('a'), {
      href: URL.createObjectURL(answer.data),
      download: 'expenses.csv',
    });
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
  } catch (error) {
    ignoreHandled(error);
  }
}
