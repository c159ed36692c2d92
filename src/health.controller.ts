import { Controller, Get, HttpCode, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Database } from './database/database';
import type { FastifyReply } from 'fastify';

@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(private readonly database: Database) {}

  @Get()
  @HttpCode(200)
  @ApiOperation({ summary: '200 {"status":"ok"} when the database answers, else 503' })
  async health(@Res({ passthrough: true }) reply: FastifyReply) {
    try {
      await this.database.ping();
      return { status: 'ok' };
    } catch {
      reply.status(503);
      return { status: 'unavailable' };
    }
  }
}
