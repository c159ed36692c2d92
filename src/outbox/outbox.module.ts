import { Global, Module } from '@nestjs/common';
import { ChatOutbox } from './chat-outbox';
import { OutboxRepository } from './outbox.repository';

@Global()
@Module({ providers: [OutboxRepository, ChatOutbox], exports: [ChatOutbox] })
export class OutboxModule {}
