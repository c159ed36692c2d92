import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Max, Min } from 'class-validator';
import { MAX_PAGE_SIZE } from '../expenses.service';

/** from/to, shared by the list, the summary and the CSV export. */
export class DateRangeQuery {
  @ApiPropertyOptional({ description: 'First date included, YYYY-MM-DD' })
  @IsOptional()
  @IsString({ message: 'from must be a date written YYYY-MM-DD' })
  from?: string;

  @ApiPropertyOptional({ description: 'Last date included, YYYY-MM-DD' })
  @IsOptional()
  @IsString({ message: 'to must be a date written YYYY-MM-DD' })
  to?: string;
}

export class FilterQuery extends DateRangeQuery {
  @ApiPropertyOptional({ description: 'Category, matched case-insensitively' })
  @IsOptional()
  @IsString({ message: 'category must be given once, as text' })
  category?: string;

  @ApiPropertyOptional({ enum: ['date_desc', 'date_asc'], default: 'date_desc' })
  @IsOptional()
  @IsIn(['date_desc', 'date_asc'], { message: 'sort must be date_desc or date_asc' })
  sort?: 'date_desc' | 'date_asc';
}

export class ListExpensesQuery extends FilterQuery {
  @ApiPropertyOptional({ minimum: 1, maximum: MAX_PAGE_SIZE, default: 50 })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: `limit must be a whole number from 1 to ${MAX_PAGE_SIZE}` })
  @Min(1, { message: `limit must be a whole number from 1 to ${MAX_PAGE_SIZE}` })
  @Max(MAX_PAGE_SIZE, { message: `limit must be a whole number from 1 to ${MAX_PAGE_SIZE}` })
  limit?: number;

  @ApiPropertyOptional({ description: 'nextCursor from the previous page' })
  @IsOptional()
  @IsString({ message: 'cursor must be given once, as text' })
  cursor?: string;
}
