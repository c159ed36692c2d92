import { createHash, timingSafeEqual } from 'node:crypto';
import { Controller, Get, Headers, Inject, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { UnauthorizedError } from '../common/domain-errors';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/config';
import { registry } from './metrics';

/** GET /metrics in Prometheus' text format; with METRICS_TOKEN set, only for `Authorization: Bearer METRICS_TOKEN`. */
@ApiExcludeController()
@Controller('metrics')
export class MetricsController {
  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  @Get()
  async scrape(
    @Headers('authorization') authorization: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<string> {
    const expected = this.config.metricsToken;
    if (expected !== undefined && !sameSecret(/^Bearer +(\S+) *$/i.exec(authorization ?? '')?.[1] ?? '', expected)) {
      throw new UnauthorizedError('Authorization: Bearer METRICS_TOKEN is required for /metrics');
    }
    reply.header('Content-Type', registry.contentType);
    return registry.metrics();
  }
}

/** Compares hashes in constant time, so the time taken says nothing about the secret. */
function sameSecret(given: string, expected: string): boolean {
  const digest = (text: string) => createHash('sha256').update(text).digest();
  return timingSafeEqual(digest(given), digest(expected));
}
