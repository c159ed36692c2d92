'use strict';
// Tally's web page: speaks only the public REST API, with the token from localStorage.
(() => {
  const TOKEN_KEY = 'tally.token';
  const DRAFT_KEY = 'tally.draft';
  const PAGE = 20;
  const FIELDS = ['amount', 'currency', 'category', 'description', 'date'];
  const $ = (id) => document.getElementById(id);

  let token = null;
  let nextCursor = null;
  let chart = null;

  class Handled extends Error {}

  // ---- sign-in ----------------------------------------------------------
  function takeTokenFromFragment() {
    const match = /(?:^|&)token=([^&]+)/.exec(location.hash.slice(1));
    if (!match) return;
    localStorage.setItem(TOKEN_KEY, decodeURIComponent(match[1]));
    history.replaceState(null, '', location.pathname + location.search);
  }

  function showSignedIn(signedIn) {
    $('sign-in').hidden = signedIn;
    $('ledger').hidden = !signedIn;
    $('sign-out').hidden = !signedIn;
  }

  function signOut(message) {
    localStorage.removeItem(TOKEN_KEY);
    token = null;
    showSignedIn(false);
    if (message) showBanner(message);
    $('token').focus();
  }

  function showBanner(message) {
    $('banner').textContent = message;
    $('banner').hidden = false;
  }

  function hideBanner() {
    $('banner').hidden = true;
  }

  // ---- API --------------------------------------------------------------
  async function api(method, path, { body, key, ifMatch } = {}) {
    const headers = { Authorization: `Bearer ${token}`, 'X-Tally-Source': 'web' };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    if (key) headers['Idempotency-Key'] = key;
    if (ifMatch) headers['If-Match'] = ifMatch;
    let response;
    try {
      response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    } catch {
      showBanner('Cannot reach Tally. Check your connection; nothing was lost, try again.');
      throw new Handled();
    }
    if (response.status === 401) {
      signOut('Your token was rejected. Sign in with a valid token.');
      throw new Handled();
    }
    if (response.status >= 500) {
      showBanner('Tally had a problem answering. Try again in a moment.');
      throw new Handled();
    }
    const type = response.headers.get('content-type') || '';
    const data = response.status === 204 ? null : type.includes('json') ? await response.json() : await response.blob();
    return { status: response.status, data, etag: response.headers.get('ETag'), replayed: response.headers.get('Idempotent-Replayed') === 'true' };
  }

  const money = (totals) => {
    const parts = Object.entries(totals).map(([currency, amount]) => `${amount} ${currency}`);
    return parts.length ? parts.join(' · ') : '0';
  };

  // ---- add form: one Idempotency-Key per filled-in form ----------------
  // The key is made when the form changes and kept with the draft in
  // sessionStorage, so a double click, a refresh-and-resubmit or a retry
  // after a network error all send the same key and record once.
  function newKey() {
    // crypto.randomUUID exists only in secure contexts (https, localhost); on http://tally.home it does not,
    // while getRandomValues works everywhere: 128 random bits as hex.
    const bytes = crypto.getRandomValues(new Uint8Array(16));
    return Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');
  }

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

  function todayLocal() {
    const now = new Date();
    const pad = (n) => String(n).padStart(2, '0');
    return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
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

  function setStatus(text, kind, action) {
    const status = $('add-status');
    status.textContent = text;
    status.className = kind || '';
    if (action) {
      const button = document.createElement('button');
      button.type = 'button';
      button.className = 'secondary';
      button.textContent = action.label;
      button.addEventListener('click', action.run, { once: true });
      status.append(' ', button);
    }
  }

  function describe(expense) {
    return `${expense.amount} ${expense.currency} for ${expense.category} on ${expense.date}`;
  }

  /** Sends a keyed write; a 409 for the key itself means the first try is still running: wait and ask again. */
  async function send(method, path, options) {
    for (;;) {
      const answer = await api(method, path, options);
      if (answer.status !== 409 || answer.data.existingId) return answer;
      await new Promise((resolve) => setTimeout(resolve, 400));
    }
  }

  function post(body, key) {
    return send('POST', '/expenses', { body, key });
  }

  async function submitExpense(event) {
    event.preventDefault();
    const button = $('add-button');
    if (button.disabled) return;
    clearErrors();
    const draft = loadDraft();
    const fields = readForm();
    const key = draft && JSON.stringify(draft.fields) === JSON.stringify(fields) ? draft.key : newKey();
    saveDraft(key);
    const body = { amount: fields.amount, category: fields.category };
    for (const name of ['currency', 'description', 'date']) if (fields[name]) body[name] = fields[name];
    if (body.currency) body.currency = body.currency.toUpperCase();

    button.disabled = true;
    hideBanner();
    try {
      const answer = await post(body, key);
      if (answer.status === 400) return showErrors(answer.data.message);
      if (answer.status >= 400) return setStatus(answer.data.message, 'warn');
      sessionStorage.removeItem(DRAFT_KEY);
      resetForm();
      if (answer.status === 201) setStatus(`Added ${describe(answer.data)}.`, 'ok');
      else offerRecordAgain(body, answer.data);
      await refresh();
    } catch (error) {
      if (!(error instanceof Handled)) throw error;
    } finally {
      button.disabled = false;
    }
  }

  function offerRecordAgain(body, existing) {
    const key = newKey(); // made once per offer: pressing twice records once
    setStatus(`This expense is already recorded: ${describe(existing)}.`, 'warn', {
      label: 'Record again',
      run: async () => {
        const answer = await post({ ...body, allowDuplicate: true }, key);
        if (answer.status < 300) setStatus(`Recorded again: ${describe(answer.data)}.`, 'ok');
        await refresh();
      },
    });
  }

  function resetForm() {
    for (const name of ['amount', 'category', 'description']) $(name).value = '';
    $('date').value = todayLocal();
  }

  // ---- list, totals, chart ---------------------------------------------
  function filters() {
    const params = new URLSearchParams();
    for (const [name, id] of [['category', 'filter-category'], ['from', 'from'], ['to', 'to']]) {
      const value = $(id).value.trim();
      if (value) params.set(name, value);
    }
    return params;
  }

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
    for (const [text, className] of [[expense.date], [`${expense.amount} ${expense.currency}`, 'amount'], [expense.category], [expense.description]]) {
      const cell = document.createElement('td');
      cell.textContent = text;
      if (className) cell.className = className;
      row.append(cell);
    }
    const actions = document.createElement('td');
    const edit = document.createElement('button');
    edit.type = 'button';
    edit.textContent = 'Edit';
    edit.setAttribute('aria-label', `Edit ${describe(expense)}`);
    edit.addEventListener('click', () => startEdit(expense, row).catch(ignoreHandled));
    const remove = document.createElement('button');
    remove.type = 'button';
    remove.textContent = 'Delete';
    remove.setAttribute('aria-label', `Delete ${describe(expense)}`);
    remove.addEventListener('click', () => confirmDelete(expense, actions));
    actions.append(edit, ' ', remove);
    row.append(actions);
    return row;
  }

  function ignoreHandled(error) {
    if (!(error instanceof Handled)) throw error;
  }

  // ---- edit in place: one Idempotency-Key per set of changes -------------
  // Save is disabled while a PATCH runs, and a retry of the same changes
  // reuses its key, so a double click edits once. If-Match carries the ETag
  // read when editing began: a change made elsewhere meanwhile is not overwritten.
  const EDIT_FIELDS = [
    ['date', 'date', 'Date'],
    ['amount', 'text', 'Amount'],
    ['currency', 'text', 'Currency'],
    ['category', 'text', 'Category'],
    ['description', 'text', 'Description'],
  ];

  async function startEdit(expense, row) {
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
    const save = Object.assign(document.createElement('button'), { type: 'button', textContent: 'Save' });
    const cancel = Object.assign(document.createElement('button'), { type: 'button', textContent: 'Cancel', className: 'secondary' });
    const td = (...children) => {
      const cell = document.createElement('td');
      cell.append(...children);
      return cell;
    };
    // Same columns as a row: date, amount + currency, category, description (with any error), actions.
    row.replaceChildren(td(cells[0]), td(cells[1], cells[2]), td(cells[3]), td(cells[4], error), td(save, ' ', cancel));
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
      row.querySelector('.error').textContent = 'This expense was changed elsewhere meanwhile. Its current values are shown; check them and save again.';
      return;
    }
    if (answer.status === 409) {
      const keepBoth = { key: newKey(), body: { ...attempt.body, allowDuplicate: true } }; // one key per offer
      error.textContent = 'Another expense already has exactly these details. ';
      const button = Object.assign(document.createElement('button'), { type: 'button', textContent: 'Keep both', className: 'secondary' });
      button.addEventListener('click', () => {
        button.disabled = true;
        patch(expense, etag, keepBoth, error).catch(ignoreHandled);
      }, { once: true });
      error.append(button);
      return;
    }
    error.textContent = answer.data.message;
  }

  function confirmDelete(expense, cell) {
    const yes = document.createElement('button');
    yes.type = 'button';
    yes.textContent = 'Yes, delete';
    const keep = document.createElement('button');
    keep.type = 'button';
    keep.textContent = 'Keep';
    const original = [...cell.childNodes];
    keep.addEventListener('click', () => cell.replaceChildren(...original));
    yes.addEventListener('click', async () => {
      yes.disabled = true;
      const answer = await api('DELETE', `/expenses/${encodeURIComponent(expense.id)}`, { key: newKey() });
      if (answer.status === 204 || answer.status === 404) {
        setStatus(`Deleted ${describe(expense)}.`, 'ok', {
          label: 'Undo',
          run: async () => {
            const { amount, currency, category, description, date } = expense;
            await post({ amount, currency, category, description, date }, newKey());
            setStatus(`Restored ${describe(expense)}.`, 'ok');
            await refresh();
          },
        });
        await refresh();
      }
    });
    cell.replaceChildren(yes, ' ', keep);
    yes.focus();
  }

  async function loadChart() {
    const params = filters();
    params.delete('category');
    const answer = await api('GET', `/expenses/summary?${params}`);
    if (answer.status !== 200 || !window.Chart) return;
    const categories = answer.data.categories;
    const currencies = [...new Set(categories.flatMap((c) => Object.keys(c.total)))];
    // Chart heights are pictures, not money: Number() here never feeds a figure shown as text.
    const datasets = currencies.map((currency) => ({ label: currency, data: categories.map((c) => Number(c.total[currency] || 0)) }));
    if (chart) chart.destroy();
    chart = new window.Chart($('chart'), {
      type: 'bar',
      data: { labels: categories.map((c) => c.category), datasets },
      options: { responsive: true, maintainAspectRatio: false, animation: false },
    });
  }

  async function loadCategories() {
    const answer = await api('GET', '/expenses/summary');
    if (answer.status !== 200) return;
    $('categories').replaceChildren(
      ...answer.data.categories.map((c) => Object.assign(document.createElement('option'), { value: c.category })),
    );
  }

  // ---- budgets: this month against each limit, with a bar -------------
  async function loadBudgets() {
    const answer = await api('GET', '/budgets');
    if (answer.status !== 200) return;
    $('budgets-month').textContent = answer.data.month;
    $('budgets').replaceChildren(
      ...answer.data.items.map((budget) => {
        const item = document.createElement('li');
        item.dataset.category = budget.category;
        item.classList.toggle('over', budget.percent >= 100);
        const name = Object.assign(document.createElement('span'), { textContent: budget.category === '*' ? 'all spending' : budget.category });
        const bar = Object.assign(document.createElement('progress'), { max: 100, value: Math.min(budget.percent, 100) });
        bar.setAttribute('aria-label', `${name.textContent}: ${budget.percent}% of the budget`);
        const figures = Object.assign(document.createElement('span'), {
          className: 'figures',
          textContent: `${budget.percent}% · ${budget.spent} of ${budget.amount} ${budget.currency}`,
        });
        const remove = Object.assign(document.createElement('button'), { type: 'button', className: 'secondary', textContent: 'Remove' });
        remove.addEventListener('click', () => removeBudget(budget, remove));
        item.append(name, bar, figures, remove);
        return item;
      }),
    );
  }

  async function setBudget(event) {
    event.preventDefault();
    const button = $('budget-button');
    if (button.disabled) return;
    button.disabled = true;
    $('budget-status').textContent = '';
    try {
      const category = $('budget-category').value.trim();
      const body = { amount: $('budget-amount').value.trim() };
      if ($('budget-currency').value.trim()) body.currency = $('budget-currency').value.trim();
      const answer = await api('PUT', `/budgets/${encodeURIComponent(category || ' ')}`, { body });
      if (answer.status >= 400) {
        $('budget-status').textContent = answer.data.message;
        return;
      }
      $('budget-form').reset();
      await loadBudgets();
    } catch (error) {
      if (!(error instanceof Handled)) throw error;
    } finally {
      button.disabled = false;
    }
  }

  async function removeBudget(budget, button) {
    button.disabled = true;
    try {
      await api('DELETE', `/budgets/${encodeURIComponent(budget.category)}?currency=${budget.currency}`);
      await loadBudgets();
    } catch (error) {
      if (!(error instanceof Handled)) throw error;
    }
  }

  async function refresh() {
    hideBanner(); // each part below raises it again if it fails
    try {
      await Promise.all([loadPage(false), loadChart(), loadCategories(), loadBudgets()]);
    } catch (error) {
      if (!(error instanceof Handled)) throw error;
    }
  }

  async function downloadCsv() {
    try {
      const answer = await api('GET', `/expenses/export.csv?${filters()}`);
      if (answer.status !== 200) return showBanner(answer.data.message);
      const link = Object.assign(document.createElement('a'), { href: URL.createObjectURL(answer.data), download: 'expenses.csv' });
      document.body.append(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
    } catch (error) {
      if (!(error instanceof Handled)) throw error;
    }
  }

  // ---- import: the file is the body, then the job is watched until it ends ----
  async function importCsv(event) {
    event.preventDefault();
    const button = $('import-button');
    const file = $('import-file').files[0];
    if (button.disabled || !file) return;
    button.disabled = true;
    const progress = $('import-progress');
    const status = $('import-status');
    $('import-rejected').replaceChildren();
    const params = new URLSearchParams({
      decimal: $('import-decimal').value,
      dateFormat: $('import-date-format').value,
      delimiter: $('import-delimiter').value,
    });
    try {
      status.textContent = `Sending ${file.name}…`;
      progress.hidden = false;
      progress.value = 0;
      const response = await fetch(`/expenses/import?${params}`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'text/csv' },
        body: file,
      }).catch(() => null);
      if (!response) return void (status.textContent = 'Cannot reach Tally. Nothing was imported; try again.');
      const started = await response.json();
      if (response.status !== 202) {
        progress.hidden = true;
        return void (status.textContent = `Not imported: ${started.message}`);
      }
      let job = started;
      while (job.state === 'running') {
        progress.value = job.bytesTotal ? Math.floor((100 * job.bytesRead) / job.bytesTotal) : 0;
        status.textContent = `Importing ${file.name}: ${job.rowsRead} rows read…`;
        await new Promise((resolve) => setTimeout(resolve, 300));
        const answer = await api('GET', `/imports/${encodeURIComponent(job.id)}`);
        if (answer.status === 200) job = answer.data;
      }
      progress.value = 100;
      status.textContent = job.state === 'done'
        ? `Imported ${file.name}: rows ${job.rowsRead}, recorded ${job.recorded}, already present ${job.alreadyPresent}, rejected ${job.rejectedCount}.`
        : `Import failed: ${job.error}`;
      $('import-rejected').replaceChildren(
        ...job.rejected.slice(0, 20).map((row) => Object.assign(document.createElement('li'), { textContent: `line ${row.line}: ${row.message}` })),
      );
      await refresh();
    } catch (error) {
      ignoreHandled(error);
    } finally {
      button.disabled = false;
    }
  }

  // ---- start -----------------------------------------------------------
  function start() {
    takeTokenFromFragment();
    token = localStorage.getItem(TOKEN_KEY);
    $('sign-in-form').addEventListener('submit', (event) => {
      event.preventDefault();
      const value = $('token').value.trim();
      if (!value) return;
      localStorage.setItem(TOKEN_KEY, value);
      $('token').value = '';
      token = value;
      hideBanner();
      showSignedIn(true);
      void refresh();
    });
    $('sign-out').addEventListener('click', () => signOut());
    $('add-form').addEventListener('submit', submitExpense);
    $('add-form').addEventListener('input', () => saveDraft(newKey()));
    $('filter-form').addEventListener('submit', (event) => {
      event.preventDefault();
      void refresh();
    });
    $('more').addEventListener('click', () => loadPage(true).catch((error) => { if (!(error instanceof Handled)) throw error; }));
    $('download').addEventListener('click', downloadCsv);
    $('import-form').addEventListener('submit', importCsv);
    $('budget-form').addEventListener('submit', setBudget);

    const draft = loadDraft();
    resetForm();
    if (draft) for (const name of FIELDS) if (draft.fields[name]) $(name).value = draft.fields[name];
    showSignedIn(Boolean(token));
    if (token) void refresh();
    else $('token').focus();
  }

  start();
})();
