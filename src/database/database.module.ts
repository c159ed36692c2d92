import { Global, Module } from '@nestjs/common';
import { WriteBatcher } from './write-batcher';

@Global()
@Module({ providers: [WriteBatcher], exports: [WriteBatcher] })
export class DatabaseModule {}
