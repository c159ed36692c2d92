import { createHash } from 'node:crypto';

export interface ExpenseContent {
  ledgerId: number;
  amountMinor: bigint;
  currency: string;
  category: string;
  description: string;
  date: string;
}

/** Trimmed, inner white space collapsed, Unicode NFC, case-folded. */
export function normaliseText(text: string): string {
  return text.normalize('NFC').trim().replace(/\s+/gu, ' ').toLowerCase();
}

/**
 * The content dedup key (CONTRACT §4.1). Occurrence 1 is the expense itself;
 * 2, 3, … are identical expenses recorded again on purpose.
 */
export function dedupKey(content: ExpenseContent, occurrence: number): string {
  const fields = [
    content.ledgerId,
    content.amountMinor.toString(),
    content.currency,
    normaliseText(content.category),
    normaliseText(content.description),
    content.date,
    occurrence,
  ];
  // JSON keeps field boundaries unambiguous whatever the texts contain.
  return createHash('sha256').update(JSON.stringify(fields)).digest('base64url');
}
