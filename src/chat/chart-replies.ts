import type { ChartsService } from '../charts/charts.service';
import { DomainError } from '../common/domain-errors';
import type { Ledger } from '../ledgers/ledger.entity';
import type { ChatCore } from './chat-core';

/** A chart to send with its caption, or what was wrong with the command (in Telegram's words). */
export type ChartReply = { png: Buffer; caption: string; error?: undefined } | { error: string };

/**
 * `/chart [CATEGORY] [PERIOD]` for every chat front door: the same PNG as
 * GET /expenses/chart.png (docs/API.md §8), over the filter `/list` reads.
 */
export async function chartReply(
  chat: ChatCore,
  charts: ChartsService,
  ledger: Ledger,
  text: string,
): Promise<ChartReply> {
  const filter = chat.resolveFilter(text, ledger);
  if ('error' in filter) return { error: filter.error.replace('/list', '/chart') };
  try {
    return { png: await charts.png(ledger, filter.filter), caption: `Spending ${filter.label}` };
  } catch (error) {
    if (error instanceof DomainError) return { error: error.message };
    throw error;
  }
}
