import { Client } from './http';
import { textUpdate } from './updates';
/** POSTs updates to the app's webhook as Telegram does: JSON with the secret header. Resolves the status. */
export function webhookPoster(appUrl: () => string, secret: string): (update: object) => Promise<number> {
  return async (update) => {
    const response = await fetch(`${appUrl()}/telegram/webhook`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'X-Telegram-Bot-Api-Secret-Token': secret },
      body: JSON.stringify(update),
    });
    await response.text();
    return response.status;
  };
}

/** A new private-chat user per call, numbered from `first`, so tests never share a ledger. */
export function people(first: number, name: string): () => { id: number; first_name: string } {
  let next = first;
  return () => {
    next++;
    return { id: next, first_name: `${name}${next}` };
  };
}

/** A REST client on a chat's ledger: the chat asks the bot for /token and the token is the reply's last line. */
export async function restForChat(
  deliver: (update: object) => Promise<number>,
  fake: { messagesTo(chatId: number): string[] },
  appUrl: string,
  from: { id: number; first_name: string },
): Promise<Client> {
  await deliver(textUpdate('/token', { from }));
  return new Client(appUrl, fake.messagesTo(from.id).at(-1)!.split('\n').pop());
}
