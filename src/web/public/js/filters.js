// The list's filter form, as query parameters; the list, the chart and the CSV download share it.
import { $ } from './dom.js';

export function filters() {
  const params = new URLSearchParams();
  for (const [name, id] of [
    ['category', 'filter-category'],
    ['from', 'from'],
    ['to', 'to'],
  ]) {
    const value = $(id).value.trim();
    if (value) params.set(name, value);
  }
  return params;
}
