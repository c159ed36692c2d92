// Tally's web page: speaks only the public REST API. Each part of the page is a module of its own.
import { openPendingQueue, startAddForm } from './add.js';
import { startBudgets } from './budgets.js';
import { startChart } from './chart.js';
import { startImport } from './import.js';
import { startList } from './list.js';
import { refresh } from './refresh.js';
import { startSession } from './session.js';

startAddForm();
startList();
startImport();
startBudgets();
startChart();
startSession((scope) => {
  openPendingQueue(scope);
  void refresh();
});

// The page itself is kept for offline use (sw.js): a reload without a connection still shows the pending adds.
if ('serviceWorker' in navigator && window.isSecureContext) {
  navigator.serviceWorker.register('/sw.js').catch(() => undefined);
}
