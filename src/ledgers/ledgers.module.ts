import { Module } from '@nestjs/common';
import { BearerGuard } from './bearer.guard';
import { LedgersService } from './ledgers.service';
import { TokensService } from './tokens.service';
import { TokenCache } from './token-cache';
import { MiniAppAuth } from './mini-app-auth';
import { LedgersRepository } from './ledgers.repository';

@Module({
  providers: [LedgersRepository, LedgersService, TokensService, BearerGuard, TokenCache, MiniAppAuth],
  exports: [LedgersService, TokensService, BearerGuard, MiniAppAuth],
})
export class LedgersModule {}
