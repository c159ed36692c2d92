import { Controller, Get, Header, Query, StreamableFile, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { FilterQuery } from '../expenses/dto/list-expenses.query';
import { BearerGuard, CurrentLedger } from '../ledgers/bearer.guard';
import type { Ledger } from '../ledgers/ledger.entity';
import { ChartsService } from './charts.service';

@ApiTags('expenses')
@ApiBearerAuth()
@UseGuards(BearerGuard)
@Controller('expenses')
export class ChartsController {
  constructor(private readonly charts: ChartsService) {}

  @Get('chart.png')
  @Header('Cache-Control', 'no-store')
  @ApiProduces('image/png')
  @ApiOperation({
    summary: "A PNG chart: spending per category and over time, a series per currency (the list's filters)",
  })
  async chart(@CurrentLedger() ledger: Ledger, @Query() query: FilterQuery): Promise<StreamableFile> {
    return new StreamableFile(await this.charts.png(ledger, query), { type: 'image/png' });
  }
}
