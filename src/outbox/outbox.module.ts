import { Global, Module } from '@nestjs/common';
import { ChatOutbox } from './chat-outbox';

@Global()
@Module({ providers: [ChatOutbox], exports: [ChatOutbox] })
export class OutboxModule {}
