// Budgets: this month against each limit, with a bar; set and remove them.
import { $, button } from './dom.js';
import { api, ignoreHandled } from './api.js';
import { onRefresh } from './refresh.js';

async function loadBudgets() {
  const answer = await api('GET', '/budgets');
  if (answer.status !== 200) return;
  $('budgets-month').textContent = answer.data.month;
  $('budgets').replaceChildren(
    ...answer.data.items.map((budget) => {
      const item = document.createElement('li');
      item.dataset.category = budget.category;
      item.classList.toggle('over', budget.percent >= 100);
      const name = Object.assign(document.createElement('span'), {
        className: 'name',
        textContent: budget.category === '*' ? 'all spending' : budget.category,
      });
      const bar = Object.assign(document.createElement('progress'), { max: 100, value: Math.min(budget.percent, 100) });
      bar.setAttribute('aria-label', `${name.textContent}: ${budget.percent}% of the budget`);
      const figures = Object.assign(document.createElement('span'), {
        className: 'figures',
        textContent: `${budget.percent}% · ${budget.spent} of ${budget.amount} ${budget.currency}`,
      });
      const remove = button('Remove', { className: 'secondary' });
      remove.addEventListener('click', () => removeBudget(budget, remove));
      item.append(name, bar, figures, remove);
      return item;
    }),
  );
}

async function setBudget(event) {
  event.preventDefault();
  const submit = $('budget-button');
  if (submit.disabled) return;
  submit.disabled = true;
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
    ignoreHandled(error);
  } finally {
    submit.disabled = false;
  }
}

async function removeBudget(budget, remove) {
  remove.disabled = true;
  try {
    await api('DELETE', `/budgets/${encodeURIComponent(budget.category)}?currency=${budget.currency}`);
    await loadBudgets();
  } catch (error) {
    ignoreHandled(error);
  }
}

export function startBudgets() {
  onRefresh(loadBudgets);
  $('budget-form').addEventListener('submit', setBudget);
}
