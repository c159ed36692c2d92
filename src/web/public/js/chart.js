// Spending per category as a bar chart (Chart.js, served by Tally), a series per currency.
import { $ } from './dom.js';
import { api } from './api.js';
import { filters } from './filters.js';
import { onRefresh } from './refresh.js';

let chart = null;

async function loadChart() {
  const params = filters();
  params.delete('category');
  const answer = await api('GET', `/expenses/summary?${params}`);
  if (answer.status !== 200 || !window.Chart) return;
  const categories = answer.data.categories;
  const currencies = [...new Set(categories.flatMap((c) => Object.keys(c.total)))];
  // Chart heights are pictures, not money: Number() here never feeds a figure shown as text.
  const datasets = currencies.map((currency) => ({
    label: currency,
    data: categories.map((c) => Number(c.total[currency] || 0)),
  }));
  if (chart) chart.destroy();
  chart = new window.Chart($('chart'), {
    type: 'bar',
    data: { labels: categories.map((c) => c.category), datasets },
    options: { responsive: true, maintainAspectRatio: false, animation: false },
  });
}

export function startChart() {
  onRefresh(loadChart);
}
