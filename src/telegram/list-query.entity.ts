import { Entity, PrimaryKey, Property } from '@mikro-orm/core';

/** The filter of a /list reply, found again when its "More" button is pressed. */
@Entity({ tableName: 'telegram_list_query' })
export class ListQuery {
  @PrimaryKey({ type: 'integer', autoincrement: true })
  id!: number;

  @Property({ type: 'integer', fieldName: 'ledger_id' })
  ledgerId!: number;

  @Property({ type: 'string', nullable: true })
  category?: string;

  @Property({ type: 'string', fieldName: 'date_from', nullable: true })
  dateFrom?: string;

  @Property({ type: 'string', fieldName: 'date_to', nullable: true })
  dateTo?: string;

  /** Epoch milliseconds, for pruning. */
  @Property({ type: 'bigint', fieldName: 'created_at' })
  createdAt!: string;
}
