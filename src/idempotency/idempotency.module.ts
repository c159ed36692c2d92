import { Module } from '@nestjs/common';
import { IdempotentRequests } from './idempotent-requests';
import { IdempotencyService } from './idempotency.service';

@Module({
  providers: [IdempotencyService, IdempotentRequests],
  exports: [IdempotencyService, IdempotentRequests],
})
export class IdempotencyModule {}
