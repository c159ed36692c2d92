import { Module } from '@nestjs/common';
import { BearerGuard } from './bearer.guard';
import { LedgersService } from './ledgers.service';
import { TokensService } from './tokens.service';

@Module({
  providers: [LedgersService, TokensService, BearerGuard],
  exports: [LedgersService, TokensService, BearerGuard],
})
export class LedgersModule {}
