'use strict';
// A Bot API that answers every call at once with success, for the webhook benchmark.
const { createServer } = require('node:http');

function startFakeBotApi() {
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
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ url: `http://127.0.0.1:${server.address().port}`, close: () => server.close() })));
}

module.exports = { startFakeBotApi };
