const PREFIX = 'telegram:';

/** The ledger of a Telegram chat. */
export function ledgerName(chatId: number): string {
  return `${PREFIX}${chatId}`;
}

/** The chat a ledger belongs to, or undefined for a ledger made for the API. */
export function chatOf(ledgerName: string): number | undefined {
  if (!ledgerName.startsWith(PREFIX)) return undefined;
  const chatId = Number(ledgerName.slice(PREFIX.length));
  return Number.isSafeInteger(chatId) ? chatId : undefined;
}
