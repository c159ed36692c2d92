import { Controller, Get, HttpCode, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { EntityManager } from '@mikro-orm/knex';
import type { FastifyReply } from 'fastify';

@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(private readonly em: EntityManager) {}

  @Get()
  @HttpCode(200)
  @ApiOperation({ summary: '200 {"status":"ok"} when the database answers, else 503' })
  async health(@Res({ passthrough: true }) reply: FastifyReply) {
    try {
      await this.em.getKnex().raw('select 1');
      return { status: 'ok' };
    } catch {
      reply.status(503);
      return { status: 'unavailable' };
    }
  }
}
