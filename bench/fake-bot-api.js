'use strict';
// A Bot API that answers every call at once with success, for the webhook benchmark.
// It runs in a process of its own, as Telegram runs on machines of its own: served from
// the benchmark's process, its work would queue behind the load generator's on one thread.
const { spawn } = require('node:child_process');
const { createServer } = require('node:http');

function serve() {
  let messageId = 1;
  const server = createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      const method = request.url.split('/').pop();
      const result =
        method === 'getMe'
          ? { id: 7000001, is_bot: true, first_name: 'Tally', username: 'TallyBot' }
          : method === 'sendMessage'
            ? { message_id: messageId++, date: 0, chat: { id: 1, type: 'private' }, text: '' }
            : true;
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ ok: true, result }));
    });
  });
  server.listen(0, '127.0.0.1', () => console.log(`http://127.0.0.1:${server.address().port}`));
}

/** Starts the fake Bot API in a child process; resolves with its URL and a close(). */
function startFakeBotApi() {
  const child = spawn(process.execPath, [__filename], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`the fake Bot API exited with ${code}`)));
    child.stdout.once('data', (chunk) => resolve({ url: String(chunk).trim(), close: () => child.kill() }));
  });
}

if (require.main === module) serve();

module.exports = { startFakeBotApi };
