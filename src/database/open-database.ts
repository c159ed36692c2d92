import { MikroORM } from '@mikro-orm/better-sqlite';
import { ormConfig } from './orm.config';

/** Opens and migrates the database outside Nest, for the command-line tools. */
export async function openDatabase(databasePath: string): Promise<MikroORM> {
  const orm = await MikroORM.init({ ...ormConfig(databasePath), allowGlobalContext: true });
  await orm.getMigrator().up();
  return orm;
}
