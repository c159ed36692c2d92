import { Global, Module } from '@nestjs/common';
import { WriteBatcher } from './write-batcher';
import { LedgerNumbers } from './ledger-numbers';

@Global()
@Module({ providers: [WriteBatcher, LedgerNumbers], exports: [WriteBatcher, LedgerNumbers] })
export class DatabaseModule {}
