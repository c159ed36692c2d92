import { hash } from 'node:crypto';

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
 * The content dedup key (docs/API.md §4.1). Occurrence 1 is the expense itself;
 * 2, 3, … are identical expenses recorded again on purpose. A scope keeps
 * keys of machine-made expenses apart from people's: a recurring posting is
 * keyed by its rule and due date, so an identical expense added by hand
 * neither blocks it nor is taken for it.
 */
export function dedupKey(content: ExpenseContent, occurrence: number, scope?: string): string {
  const fields = [
    content.ledgerId,
    content.amountMinor.toString(),
    content.currency,
    normaliseText(content.category),
    normaliseText(content.description),
    content.date,
    occurrence,
    ...(scope === undefined ? [] : [scope]),
  ];
  // JSON keeps field boundaries unambiguous whatever the texts contain.
  return hash('sha256', JSON.stringify(fields), 'base64url');
}
