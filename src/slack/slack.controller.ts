import { Controller, Post, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { SlackService } from './slack.service';

/** Slack's three request URLs (HTTP mode); each request is verified by its signature. */
@ApiExcludeController()
@Controller('slack')
export class SlackController {
  constructor(private readonly slack: SlackService) {}

  @Post('commands')
  commands(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    return this.slack.handleHttp('commands', request, reply);
  }

  @Post('events')
  events(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    return this.slack.handleHttp('events', request, reply);
  }

  @Post('interactions')
  interactions(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    return this.slack.handleHttp('interactions', request, reply);
  }
}
