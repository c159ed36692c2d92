const PREFIX = 'telegram:';
const SLACK_PREFIX = 'slack:';

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

/**
 * The ledger of a Slack conversation. A channel's ledger is shared by the
 * channel; a direct message is the user's own ledger. Prefixes keep both
 * apart from Telegram's and each other: Slack's ids start with a letter
 * naming their kind (C, G channels; U, W users).
 */
export function slackLedgerName(team: string, channel: string, user: string, direct: boolean): string {
  return `${SLACK_PREFIX}${team}:${direct ? user : channel}`;
}

/** Where the app posts to a ledger's chat on its own (budget alerts, recurring postings). */
export interface ChatAddress {
  platform: 'telegram' | 'slack';
  /** A Telegram chat id; a Slack channel id, or a user id (Slack posts that in the user's direct message with the app). */
  address: string;
}

/** The chat a ledger belongs to, on either platform; undefined for a ledger made for the API. */
export function chatAddressOf(ledgerName: string): ChatAddress | undefined {
  const chatId = chatOf(ledgerName);
  if (chatId !== undefined) return { platform: 'telegram', address: String(chatId) };
  const slack = /^slack:[^:]+:([A-Z0-9]+)$/.exec(ledgerName);
  return slack ? { platform: 'slack', address: slack[1] } : undefined;
}
