/** Keyset position in a list: the last row's date and insertion sequence. */
export interface Cursor {
  date: string;
  seq: number;
}

const CURSOR_TEXT = /^(\d{4}-\d{2}-\d{2})\.(\d{1,15})$/;

export function encodeCursor(cursor: Cursor): string {
  return Buffer.from(`${cursor.date}.${cursor.seq}`, 'utf8').toString('base64url');
}

/** Returns undefined for anything this codec did not produce. */
export function decodeCursor(text: string): Cursor | undefined {
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(text)) return undefined;
  const match = CURSOR_TEXT.exec(Buffer.from(text, 'base64url').toString('utf8'));
  if (!match) return undefined;
  const cursor = { date: match[1], seq: Number(match[2]) };
  return encodeCursor(cursor) === text ? cursor : undefined;
}
