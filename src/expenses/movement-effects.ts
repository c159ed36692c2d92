import { Injectable } from '@nestjs/common';
import type { CommitEffect } from '../database/write-batcher';
import { DAILY_TOTALS, Movement } from './totals.repository';

/**
 * What else happens, before COMMIT, when what a ledger spent changes. The
 * daily totals are the expenses module's own; other modules register theirs
 * (budgets registers its alerts), so the expenses module never imports them.
 * The write batcher runs a batch's effects lowest `order` first.
 */
@Injectable()
export class MovementEffects {
  private readonly effects: CommitEffect<Movement>[] = [DAILY_TOTALS];

  register(effect: CommitEffect<Movement>): void {
    if (!this.effects.includes(effect)) this.effects.push(effect);
  }

  all(): readonly CommitEffect<Movement>[] {
    return this.effects;
  }
}
