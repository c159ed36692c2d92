import { Entity, PrimaryKey, Property } from '@mikro-orm/core';

/** The last short number drawn in a ledger (ledger-numbers.ts). */
@Entity({ tableName: 'ledger_number' })
export class LedgerNumber {
  @PrimaryKey({ type: 'integer', fieldName: 'ledger_id' })
  ledgerId!: number;

  @Property({ type: 'integer', fieldName: 'last_number' })
  lastNumber!: number;
}
