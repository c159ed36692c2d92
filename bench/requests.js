'use strict';
// The load each scenario sends, shared by bench/run.js and bench/profile.js.

let counter = 0;
/** A new expense each time: distinct amounts and descriptions on one date. */
const distinctBody = () =>
  JSON.stringify({
    amount: `${1 + (counter % 9000)}.${String(counter % 100).padStart(2, '0')}`,
    category: 'bench',
    description: `item ${counter++}`,
    date: '2026-11-24',
  });
const SAME_BODY = JSON.stringify({ amount: '9.99', category: 'storm', date: '2026-11-24' });

function createRequests(token, extraHeaders = {}, body = distinctBody) {
  return {
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...extraHeaders },
    requests: [{ method: 'POST', path: '/expenses', setupRequest: (request) => ({ ...request, body: body() }) }],
  };
}

/** The same expense again and again: answered 200 with the one already recorded. */
const duplicateRequests = (token) => createRequests(token, {}, () => SAME_BODY);
/** The same Idempotency-Key and body again and again: replays of the first answer. */
const replayRequests = (token) => createRequests(token, { 'idempotency-key': 'storm-key' }, () => SAME_BODY);

let updateId = 1;
/** Telegram updates with /add from 50 chats, each a new update_id, as Telegram sends them to the webhook. */
function webhookRequests(secret) {
  return {
    headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': secret },
    requests: [
      {
        method: 'POST',
        path: '/telegram/webhook',
        setupRequest: (request) => {
          const id = updateId++;
          const text = `/add ${1 + (id % 5000)}.${String(id % 100).padStart(2, '0')} bench update ${id}`;
          const chat = 1000 + (id % 50);
          const message = {
            message_id: id,
            date: 0,
            chat: { id: chat, type: 'private' },
            from: { id: chat, is_bot: false, first_name: 'Bench' },
            text,
            entities: [{ type: 'bot_command', offset: 0, length: 4 }],
          };
          return { ...request, body: JSON.stringify({ update_id: id, message }) };
        },
      },
    ],
  };
}

const getRequests = (token, path) => ({
  headers: { authorization: `Bearer ${token}` },
  requests: [{ method: 'GET', path }],
});

module.exports = { createRequests, duplicateRequests, replayRequests, webhookRequests, getRequests };
