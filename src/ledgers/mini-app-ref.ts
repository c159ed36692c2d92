import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * The `startapp` parameter of a group's Mini App link: the group's chat id
 * and a MAC over it, so only a link the bot handed out opens a group's
 * ledger. At most 64 characters of A-Za-z0-9_- (Telegram's limit):
 * `n1001234567890_` + 22 characters of MAC, `n` for a negative id.
 */
const REF = /^([np])(\d{1,16})_([A-Za-z0-9_-]{22})$/;

function mac(chatId: number, botToken: string): string {
  // A key of its own, derived from the bot token, so a MAC here is no use anywhere else.
  const key = createHmac('sha256', 'TallyStartApp').update(botToken).digest();
  return createHmac('sha256', key).update(String(chatId)).digest('base64url').slice(0, 22);
}

export function groupRef(chatId: number, botToken: string): string {
  return `${chatId < 0 ? 'n' : 'p'}${Math.abs(chatId)}_${mac(chatId, botToken)}`;
}

/** The chat id a ref names, or undefined when it is not one this bot made. */
export function chatOfRef(ref: string, botToken: string): number | undefined {
  const match = REF.exec(ref);
  if (!match) return undefined;
  const chatId = Number(match[2]) * (match[1] === 'n' ? -1 : 1);
  if (!Number.isSafeInteger(chatId)) return undefined;
  const expected = Buffer.from(mac(chatId, botToken));
  const given = Buffer.from(match[3]);
  return given.length === expected.length && timingSafeEqual(given, expected) ? chatId : undefined;
}
