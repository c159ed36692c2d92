// Editing in place: one Idempotency-Key per set of changes. Save is disabled while a PATCH runs,
// and a retry of the same changes reuses its key, so a double click edits once. If-Match carries
// the ETag read when editing began: a change made elsewhere meanwhile is not overwritten.
import { button, describe, newKey } from './dom.js';
import { api, ignoreHandled, send } from './api.js';
import { setStatus } from './add.js';
import { refresh } from './refresh.js';

const EDIT_FIELDS = [
  ['date', 'date', 'Date'],
  ['amount', 'text', 'Amount'],
  ['currency', 'text', 'Currency'],
  ['category', 'text', 'Category'],
  ['description', 'text', 'Description'],
];

export async function startEdit(expense, row) {
  const answer = await api('GET', `/expenses/${encodeURIComponent(expense.id)}`);
  if (answer.status === 404) {
    setStatus(`${describe(expense)} was removed meanwhile.`, 'warn');
    return refresh();
  }
  showEditor(row, answer.data, answer.etag);
}

function showEditor(row, expense, etag) {
  const inputs = {};
  const cells = EDIT_FIELDS.map(([name, type, label]) => {
    const input = Object.assign(document.createElement('input'), { type, value: expense[name], name });
    input.setAttribute('aria-label', `${label} of the expense being edited`);
    if (name === 'currency') input.maxLength = 3;
    inputs[name] = input;
    return input;
  });
  const error = Object.assign(document.createElement('div'), { className: 'error' });
  error.setAttribute('role', 'alert');
  const save = button('Save');
  const cancel = button('Cancel', { className: 'secondary' });
  const td = (className, ...children) => {
    const cell = document.createElement('td');
    cell.className = className;
    cell.append(...children);
    return cell;
  };
  // Same columns as a row: date, amount + currency, category, description (with any error), actions.
  row.replaceChildren(
    td('date', cells[0]),
    td('amount', cells[1], cells[2]),
    td('category', cells[3]),
    td('description', cells[4], error),
    td('row-actions', save, ' ', cancel),
  );
  row.classList.add('editing');
  cells[1].focus();

  let attempt = null; // { key, body } of the last PATCH sent
  const changes = () => {
    const body = {};
    for (const [name] of EDIT_FIELDS) {
      const value = inputs[name].value.trim();
      if (value !== expense[name]) body[name] = name === 'currency' ? value.toUpperCase() : value;
    }
    return body;
  };
  cancel.addEventListener('click', () => refresh());
  save.addEventListener('click', async () => {
    if (save.disabled) return;
    save.disabled = true;
    error.textContent = '';
    try {
      const body = changes();
      if (Object.keys(body).length === 0) return void (await refresh());
      const same = attempt && JSON.stringify(attempt.body) === JSON.stringify(body);
      attempt = same ? attempt : { key: newKey(), body };
      await patch(expense, etag, attempt, error);
    } catch (failure) {
      ignoreHandled(failure);
    } finally {
      save.disabled = false;
    }
  });
}

async function patch(expense, etag, attempt, error) {
  const path = `/expenses/${encodeURIComponent(expense.id)}`;
  const answer = await send('PATCH', path, { body: attempt.body, key: attempt.key, ifMatch: etag });
  if (answer.status === 200) {
    setStatus(`Saved ${describe(answer.data)}.`, 'ok');
    return refresh();
  }
  if (answer.status === 404) {
    setStatus(`${describe(expense)} was removed meanwhile.`, 'warn');
    return refresh();
  }
  if (answer.status === 412) {
    // Show the current values first, then say why: the message never stands beside stale values.
    const current = await api('GET', path);
    if (current.status !== 200) return refresh();
    const row = document.querySelector(`#rows tr[data-id="${CSS.escape(expense.id)}"]`);
    showEditor(row, current.data, current.etag);
    row.querySelector('.error').textContent =
      'This expense was changed elsewhere meanwhile. Its current values are shown; check them and save again.';
    return;
  }
  if (answer.status === 409) {
    const keepBoth = { key: newKey(), body: { ...attempt.body, allowDuplicate: true } }; // one key per offer
    error.textContent = 'Another expense already has exactly these details. ';
    const offer = button('Keep both', { className: 'secondary' });
    offer.addEventListener(
      'click',
      () => {
        offer.disabled = true;
        patch(expense, etag, keepBoth, error).catch(ignoreHandled);
      },
      { once: true },
    );
    error.append(offer);
    return;
  }
  error.textContent = answer.data.message;
}
