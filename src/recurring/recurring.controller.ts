import { Body, Controller, Delete, Get, HttpCode, Param, Post, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { BearerGuard, CurrentLedger } from '../ledgers/bearer.guard';
import type { Ledger } from '../ledgers/ledger.entity';
import { CreateRecurringDto } from './dto/create-recurring.dto';
import { RecurringService, RecurringView } from './recurring.service';

@ApiTags('recurring')
@ApiBearerAuth()
@UseGuards(BearerGuard)
@Controller('recurring')
export class RecurringController {
  constructor(private readonly recurring: RecurringService) {}

  @Post()
  @ApiOperation({ summary: 'Record an expense every day, week or month; dates already due are posted at once' })
  create(@CurrentLedger() ledger: Ledger, @Body() body: CreateRecurringDto): Promise<RecurringView> {
    return this.recurring.create(ledger, body);
  }

  @Get()
  @ApiOperation({ summary: "The ledger's recurring expenses that are not stopped" })
  async list(@CurrentLedger() ledger: Ledger): Promise<{ items: RecurringView[] }> {
    return { items: await this.recurring.list(ledger) };
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Stop a recurring expense; what it recorded stays' })
  async stop(@CurrentLedger() ledger: Ledger, @Param('id') id: string): Promise<void> {
    await this.recurring.stop(ledger, id);
  }
}
