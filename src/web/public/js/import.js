// Import: the file is the request body, then the job is watched until it ends.
import { $ } from './dom.js';
import { api, ignoreHandled, Unreachable } from './api.js';
import { refresh } from './refresh.js';

async function importCsv(event) {
  event.preventDefault();
  const submit = $('import-button');
  const file = $('import-file').files[0];
  if (submit.disabled || !file) return;
  submit.disabled = true;
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
    let started;
    try {
      started = await api('POST', `/expenses/import?${params}`, { raw: file, contentType: 'text/csv', quiet: true });
    } catch (error) {
      if (error instanceof Unreachable)
        return void (status.textContent = 'Cannot reach Tally. Nothing was imported; try again.');
      throw error;
    }
    if (started.status !== 202) {
      progress.hidden = true;
      return void (status.textContent = `Not imported: ${started.data.message}`);
    }
    let job = started.data;
    while (job.state === 'running') {
      progress.value = job.bytesTotal ? Math.floor((100 * job.bytesRead) / job.bytesTotal) : 0;
      status.textContent = `Importing ${file.name}: ${job.rowsRead} rows read…`;
      await new Promise((resolve) => setTimeout(resolve, 300));
      const answer = await api('GET', `/imports/${encodeURIComponent(job.id)}`);
      if (answer.status === 200) job = answer.data;
    }
    progress.value = 100;
    status.textContent =
      job.state === 'done'
        ? `Imported ${file.name}: rows ${job.rowsRead}, recorded ${job.recorded}, already present ${job.alreadyPresent}, rejected ${job.rejectedCount}.`
        : `Import failed: ${job.error}`;
    $('import-rejected').replaceChildren(
      ...job.rejected
        .slice(0, 20)
        .map((row) => Object.assign(document.createElement('li'), { textContent: `line ${row.line}: ${row.message}` })),
    );
    await refresh();
  } catch (error) {
    ignoreHandled(error);
  } finally {
    submit.disabled = false;
  }
}

export function startImport() {
  $('import-form').addEventListener('submit', importCsv);
}
