import { Injectable } from '@nestjs/common';
import type { RawSql } from '../database/raw-sql';
import type { Every } from './schedule';

export interface RuleRow {
  id: number;
  ledger_id: number;
  amount_minor: string | number;
  currency: string;
  category: string;
  description: string;
  every: Every;
  day: number;
  start_date: string;
  next_date: string;
  author_telegram_id: string | number | null;
  author_name: string | null;
  created_at: string;
}

export type NewRuleRow = Omit<RuleRow, 'id'>;

const RULE_COLUMNS = `id, ledger_id, amount_minor, currency, category, description, every, day, start_date, next_date,
  author_telegram_id, author_name, created_at`;
const INSERT = `insert into recurring_rule (ledger_id, amount_minor, currency, category, description, every, day,
  start_date, next_date, author_telegram_id, author_name, created_at) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) returning id`;
/** Moves a rule to its next date only if nobody did first: the row in the database decides who posts. */
const ADVANCE = `update recurring_rule set next_date = ? where id = ? and next_date = ? and stopped_at is null`;

/** The SQL of recurring rules, run on the handle given; the same SQL serves both engines. */
@Injectable()
export class RecurringRepository {
  async insert(db: RawSql, rule: NewRuleRow): Promise<number> {
    const row = await db.get<{ id: number | string }>(
      INSERT,
      rule.ledger_id,
      rule.amount_minor,
      rule.currency,
      rule.category,
      rule.description,
      rule.every,
      rule.day,
      rule.start_date,
      rule.next_date,
      rule.author_telegram_id,
      rule.author_name,
      rule.created_at,
    );
    return Number(row!.id);
  }

  /** A rule, stopped or not. */
  byId(db: RawSql, id: number): Promise<RuleRow | undefined> {
    return db.get<RuleRow>(`select ${RULE_COLUMNS} from recurring_rule where id = ?`, id);
  }

  /** The ledger's rules that are not stopped, oldest first. */
  active(db: RawSql, ledgerId: number): Promise<RuleRow[]> {
    return db.all<RuleRow>(
      `select ${RULE_COLUMNS} from recurring_rule where ledger_id = ? and stopped_at is null order by id`,
      ledgerId,
    );
  }

  activeById(db: RawSql, ledgerId: number, id: number): Promise<RuleRow | undefined> {
    return db.get<RuleRow>(
      `select ${RULE_COLUMNS} from recurring_rule where ledger_id = ? and id = ? and stopped_at is null`,
      ledgerId,
      id,
    );
  }

  /** False when it was stopped already (or is not this ledger's). */
  async stop(db: RawSql, ledgerId: number, id: number, at: string): Promise<boolean> {
    const changed = await db.run(
      'update recurring_rule set stopped_at = ? where ledger_id = ? and id = ? and stopped_at is null',
      at,
      ledgerId,
      id,
    );
    return changed === 1;
  }

  /** Every rule not stopped with a date due on or before `latest`, oldest rule first. */
  due(db: RawSql, latest: string): Promise<RuleRow[]> {
    return db.all<RuleRow>(
      `select ${RULE_COLUMNS} from recurring_rule where stopped_at is null and next_date <= ? order by id`,
      latest,
    );
  }

  /** Moves the rule from `due` to `next`; false when another instance (or a stop) was first. */
  async advance(tx: RawSql, id: number, due: string, next: string): Promise<boolean> {
    return (await tx.run(ADVANCE, next, id, due)) === 1;
  }
}
