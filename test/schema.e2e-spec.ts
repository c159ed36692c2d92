import { MikroORM } from '@mikro-orm/core';
import type { AbstractSqlDriver } from '@mikro-orm/knex';
import { migrate } from '../src/database/open-database';
import { ormConfig } from '../src/database/orm.config';
import { removeDir, tempDir } from './support/app';
import { auditQuery } from './support/database-file';
import { ENGINES, freshDatabase, TestDatabase } from './support/engines';

/** A column as both descriptions can tell it: its name, kind of value, and whether it may be null. */
type Columns = Record<string, string[]>;

/** integer and bigint are one kind (SQLite stores both alike); text and varchar another; blob and bytea a third. */
function kind(type: string): string {
  const t = type.toLowerCase();
  if (/int|number|serial/.test(t)) return 'integer';
  if (/char|text|string/.test(t)) return 'text';
  if (/blob|bytea|buffer/.test(t)) return 'bytes';
  return t;
}

function describeColumn(name: string, type: string, nullable: boolean): string {
  return `${name} ${kind(type)}${nullable ? ' null' : ''}`;
}

/** What the entities (src/database/orm.config.ts ENTITIES) say each table holds. */
function entityColumns(orm: MikroORM<AbstractSqlDriver>): Columns {
  const tables: Columns = {};
  for (const meta of Object.values(orm.getMetadata().getAll())) {
    tables[meta.tableName] = meta.props
      .filter((prop) => prop.persist !== false)
      .map((prop) => describeColumn(prop.fieldNames[0], prop.type, Boolean(prop.nullable) && !prop.primary))
      .sort();
  }
  return tables;
}

/** What the migrated database holds, read from the engine's own catalogue. */
async function databaseColumns(db: TestDatabase): Promise<Columns> {
  const tables: Columns = {};
  const add = (table: string, column: string) => (tables[table] ??= []).push(column);
  if (db.target.engine === 'sqlite') {
    const names = await auditQuery<{ name: string }>(
      db.target,
      "select name from sqlite_master where type = 'table' and name not like 'sqlite_%' and name <> 'mikro_orm_migrations'",
    );
    for (const { name } of names) {
      const columns = await auditQuery<{ name: string; type: string; notnull: number; pk: number }>(
        db.target,
        `select name, type, "notnull", pk from pragma_table_info(?)`,
        name,
      );
      for (const c of columns) add(name, describeColumn(c.name, c.type, !c.notnull && !c.pk));
    }
  } else {
    const columns = await auditQuery<{
      table_name: string;
      column_name: string;
      data_type: string;
      is_nullable: string;
    }>(
      db.target,
      `select table_name, column_name, data_type, is_nullable from information_schema.columns
       where table_schema = 'public' and table_name <> 'mikro_orm_migrations'`,
    );
    for (const c of columns) add(c.table_name, describeColumn(c.column_name, c.data_type, c.is_nullable === 'YES'));
  }
  for (const table of Object.keys(tables)) tables[table].sort();
  return tables;
}

/**
 * One description of the schema: the entities name every table and column,
 * and the migrations of each engine must build exactly that. An entity that
 * gains a column without a migration (or a migration that adds one the
 * entities do not know) fails here.
 */
describe.each(ENGINES)('%s', (engine) => {
  let dir: string;
  let db: TestDatabase;
  let orm: MikroORM<AbstractSqlDriver>;
  beforeAll(async () => {
    dir = tempDir();
    db = await freshDatabase(engine, dir);
    orm = await MikroORM.init<AbstractSqlDriver>(ormConfig(db.target));
    await migrate(orm);
  });
  afterAll(async () => {
    await orm.close();
    await db.drop();
    removeDir(dir);
  });

  it('a fresh database migrated to the end has exactly the tables and columns the entities describe', async () => {
    const migrated = await databaseColumns(db);
    const described = entityColumns(orm);
    expect(Object.keys(described).sort()).toEqual(Object.keys(migrated).sort());
    for (const table of Object.keys(described)) expect([table, described[table]]).toEqual([table, migrated[table]]);
  });
});
