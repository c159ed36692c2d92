import { Module } from '@nestjs/common';
import { BearerGuard } from './bearer.guard';
import { LedgersService } from './ledgers.service';
import { TokensService } from './tokens.service';
import { TokenCache } from './token-cache';

@Module({
  providers: [LedgersService, TokensService, BearerGuard, TokenCache],
  exports: [LedgersService, TokensService, BearerGuard],
})
export class LedgersModule {}
