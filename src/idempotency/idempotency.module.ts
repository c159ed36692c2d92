import { Module } from '@nestjs/common';
import { IdempotentRequests } from './idempotent-requests';
import { IdempotencyService } from './idempotency.service';
import { IdempotencyRepository } from './idempotency.repository';

@Module({
  providers: [IdempotencyRepository, IdempotencyService, IdempotentRequests],
  exports: [IdempotencyService, IdempotentRequests],
})
export class IdempotencyModule {}
