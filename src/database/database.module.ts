import { Global, Module } from '@nestjs/common';
import { WriteBatcher } from './write-batcher';
import { LedgerNumbers } from './ledger-numbers';
import { Database } from './database';

@Global()
@Module({ providers: [Database, WriteBatcher, LedgerNumbers], exports: [Database, WriteBatcher, LedgerNumbers] })
export class DatabaseModule {}
