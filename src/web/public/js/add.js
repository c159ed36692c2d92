// The add form. One Idempotency-Key per filled-in form, kept with the draft in sessionStorage, so
// a double click, a refresh-and-resubmit or a retry all send the same key and record once. The add
// waits in the offline queue (pending.js) until the server answers it.
import { $, describe, newKey, todayLocal } from './dom.js';
import { hideBanner, ignoreHandled, send } from './api.js';
import { enqueue, flushPending, isPending, usePendingQueue } from './pending.js';
import { refresh } from './refresh.js';

const DRAFT_KEY = 'tally.draft';
const FIELDS = ['amount', 'currency', 'category', 'description', 'date'];

function readForm() {
  return Object.fromEntries(FIELDS.map((name) => [name, $(name).value.trim()]));
}

function saveDraft(key) {
  sessionStorage.setItem(DRAFT_KEY, JSON.stringify({ key, fields: readForm() }));
}

function loadDraft() {
  try {
    return JSON.parse(sessionStorage.getItem(DRAFT_KEY) || 'null');
  } catch {
    return null;
  }
}

function clearErrors() {
  for (const name of FIELDS) {
    $(`${name}-error`).textContent = '';
    $(name).removeAttribute('aria-invalid');
  }
}

/** API messages start with the field's name ("amount must …"): show each beside its field. */
function showErrors(message) {
  const unplaced = [];
  for (const part of message.split('; ')) {
    const field = FIELDS.find((name) => part.startsWith(`${name} `));
    if (field) {
      $(`${field}-error`).textContent = part;
      $(field).setAttribute('aria-invalid', 'true');
    } else unplaced.push(part);
  }
  if (unplaced.length) setStatus(unplaced.join('; '), 'warn');
  const first = FIELDS.find((name) => $(name).getAttribute('aria-invalid') === 'true');
  if (first) $(first).focus();
}

export function setStatus(text, kind, action) {
  const status = $('add-status');
  status.textContent = text;
  status.className = kind || '';
  if (action) {
    const offer = Object.assign(document.createElement('button'), {
      type: 'button',
      className: 'secondary',
      textContent: action.label,
    });
    offer.addEventListener('click', action.run, { once: true });
    status.append(' ', offer);
  }
}

export function post(body, key) {
  return send('POST', '/expenses', { body, key });
}

function resetForm() {
  for (const name of ['amount', 'category', 'description']) $(name).value = '';
  $('date').value = todayLocal();
}

async function submitExpense(event) {
  event.preventDefault();
  const submit = $('add-button');
  if (submit.disabled) return;
  clearErrors();
  const draft = loadDraft();
  const fields = readForm();
  const key = draft && JSON.stringify(draft.fields) === JSON.stringify(fields) ? draft.key : newKey();
  saveDraft(key);
  const body = { amount: fields.amount, category: fields.category };
  for (const name of ['currency', 'description', 'date']) if (fields[name]) body[name] = fields[name];
  if (body.currency) body.currency = body.currency.toUpperCase();
  // Kept on this device before it is sent: a lost connection or a reload loses nothing.
  enqueue(body, key);
  submit.disabled = true;
  hideBanner();
  try {
    await flushPending();
    if (isPending(key)) {
      sessionStorage.removeItem(DRAFT_KEY);
      resetForm();
      setStatus(
        'No connection: the expense is saved on this device and will be sent when the connection returns.',
        'warn',
      );
    }
  } catch (error) {
    ignoreHandled(error);
  } finally {
    submit.disabled = false;
  }
}

/** What the server said to a pending add, sent now or on a later flush. */
function answered(answer, item) {
  const draft = loadDraft();
  const fromForm = draft?.key === item.key;
  if (answer.status === 400 && fromForm) return showErrors(answer.data.message);
  if (answer.status >= 400) {
    setStatus(`Not recorded: ${answer.data.message}`, 'warn');
    return;
  }
  if (fromForm) {
    sessionStorage.removeItem(DRAFT_KEY);
    resetForm();
  }
  if (answer.status === 201) setStatus(`Added ${describe(answer.data)}.`, 'ok');
  else offerRecordAgain(item.body, answer.data);
  void refresh();
}

function offerRecordAgain(body, existing) {
  const key = newKey(); // made once per offer: pressing twice records once
  setStatus(`This expense is already recorded: ${describe(existing)}.`, 'warn', {
    label: 'Record again',
    run: async () => {
      try {
        const answer = await post({ ...body, allowDuplicate: true }, key);
        if (answer.status < 300) setStatus(`Recorded again: ${describe(answer.data)}.`, 'ok');
        await refresh();
      } catch (error) {
        ignoreHandled(error);
      }
    },
  });
}

export function startAddForm() {
  $('add-form').addEventListener('submit', submitExpense);
  $('add-form').addEventListener('input', () => saveDraft(newKey()));
  const draft = loadDraft();
  resetForm();
  if (draft) for (const name of FIELDS) if (draft.fields[name]) $(name).value = draft.fields[name];
}

/** The queue of one signed-in ledger; what waited from an earlier visit is sent now. */
export function openPendingQueue(scope) {
  usePendingQueue(scope, answered);
  void flushPending();
}
