import { Body, Controller, Delete, Get, HttpCode, Param, Put, Query, Res, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { BearerGuard, CurrentLedger } from '../ledgers/bearer.guard';
import type { Ledger } from '../ledgers/ledger.entity';
import type { BudgetView } from './budget-month';
import { BudgetsOfMonth, BudgetsService } from './budgets.service';
import { BudgetCurrencyQuery, SetBudgetDto } from './dto/set-budget.dto';

@ApiTags('budgets')
@ApiBearerAuth()
@UseGuards(BearerGuard)
@Controller('budgets')
export class BudgetsController {
  constructor(private readonly budgets: BudgetsService) {}

  @Get()
  @ApiOperation({ summary: "Every budget with what was spent this month (the ledger's time zone)" })
  list(@CurrentLedger() ledger: Ledger): Promise<BudgetsOfMonth> {
    return this.budgets.list(ledger);
  }

  @Put(':category')
  @ApiOperation({ summary: 'Set the monthly limit of a category, or `*` for all spending, in one currency' })
  @ApiResponse({ status: 201, description: 'A new budget' })
  @ApiResponse({ status: 200, description: 'The limit of an existing budget changed' })
  async set(
    @CurrentLedger() ledger: Ledger,
    @Param('category') category: string,
    @Body() body: SetBudgetDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<BudgetView> {
    const { budget, created } = await this.budgets.set(ledger, category, body);
    reply.status(created ? 201 : 200);
    return budget;
  }

  @Delete(':category')
  @HttpCode(204)
  @ApiOperation({ summary: 'Remove a budget (in one currency with ?currency=, else in all)' })
  async remove(
    @CurrentLedger() ledger: Ledger,
    @Param('category') category: string,
    @Query() query: BudgetCurrencyQuery,
  ): Promise<void> {
    await this.budgets.remove(ledger, category, query.currency);
  }
}
