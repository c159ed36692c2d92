/** Telegram update JSON, as the Bot API delivers it. */
let nextUpdateId = 500_000;
let nextMessageId = 1;

export interface Person {
  id: number;
  first_name: string;
  last_name?: string;
}

export const ANN: Person = { id: 42, first_name: 'Ann' };
export const BOB: Person = { id: 43, first_name: 'Bob', last_name: 'Stone' };
export const GROUP_ID = -100555;

export function newUpdateId(): number {
  return nextUpdateId++;
}

function chatFor(chatId: number, from: Person) {
  return chatId < 0
    ? { id: chatId, type: 'group', title: 'Flatmates' }
    : { id: chatId, type: 'private', first_name: from.first_name };
}

/**
 * A text message; a leading /command gets its bot_command entity, as Telegram adds it.
 * `at` is when it was sent (default: now): a test with a fake Clock passes the clock's time.
 */
export function textUpdate(
  text: string,
  options: { from?: Person; chatId?: number; updateId?: number; at?: Date } = {},
) {
  const from = options.from ?? ANN;
  const chatId = options.chatId ?? from.id;
  const command = /^\/\S+/.exec(text);
  return {
    update_id: options.updateId ?? newUpdateId(),
    message: {
      message_id: nextMessageId++,
      date: Math.floor((options.at ?? new Date()).getTime() / 1000),
      chat: chatFor(chatId, from),
      from: { ...from, is_bot: false, language_code: 'en' },
      text,
      ...(command ? { entities: [{ type: 'bot_command', offset: 0, length: command[0].length }] } : {}),
    },
  };
}

/** A press of an inline button on one of the bot's messages. */
export function callbackUpdate(
  data: string,
  message: { message_id: number; chatId: number; text?: string },
  options: { from?: Person; updateId?: number } = {},
) {
  const from = options.from ?? ANN;
  return {
    update_id: options.updateId ?? newUpdateId(),
    callback_query: {
      id: String(Math.floor(Math.random() * 1e12)),
      from: { ...from, is_bot: false },
      chat_instance: '1',
      data,
      message: {
        message_id: message.message_id,
        date: Math.floor(Date.now() / 1000),
        chat: chatFor(message.chatId, from),
        from: { id: 7000001, is_bot: true, first_name: 'Tally', username: 'TallyBot' },
        text: message.text ?? '',
      },
    },
  };
}

/** The same message with new text, as Telegram sends it when its author edits it (same message_id and date). */
export function editedUpdate(
  original: ReturnType<typeof textUpdate>,
  text: string,
  options: { updateId?: number } = {},
) {
  const command = /^\/\S+/.exec(text);
  const { entities: _entities, ...message } = original.message as typeof original.message & { entities?: unknown };
  return {
    update_id: options.updateId ?? newUpdateId(),
    edited_message: {
      ...message,
      edit_date: Math.floor(Date.now() / 1000),
      text,
      ...(command ? { entities: [{ type: 'bot_command', offset: 0, length: command[0].length }] } : {}),
    },
  };
}
