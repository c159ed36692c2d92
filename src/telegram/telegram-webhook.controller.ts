import { Controller, HttpCode, Post, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { TelegramService } from './telegram.service';

/** POST /telegram/webhook: Telegram only; the secret header is checked by grammY's handler. */
@ApiExcludeController()
@Controller('telegram')
export class TelegramWebhookController {
  constructor(private readonly telegram: TelegramService) {}

  @Post('webhook')
  @HttpCode(200)
  async webhook(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    await this.telegram.handleWebhook(request, reply);
  }
}
