import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  IsBoolean,
  IsDefined,
  IsOptional,
  IsString,
  Validate,
  ValidatorConstraint,
  ValidatorConstraintInterface,
} from 'class-validator';

@ValidatorConstraint({ name: 'isAmountInput' })
export class IsAmountInput implements ValidatorConstraintInterface {
  validate(value: unknown): boolean {
    return typeof value === 'string' || typeof value === 'number';
  }
  defaultMessage(): string {
    return 'amount must be a string or number such as "12.50"';
  }
}

/** Body of POST /expenses. Types are checked here; the money, date and text rules live in expense-rules.ts. */
export class CreateExpenseDto {
  @ApiProperty({
    description: "Plain decimal, > 0, at most the currency's minor digits",
    example: '12.50',
    oneOf: [{ type: 'string' }, { type: 'number' }],
  })
  @IsDefined({ message: 'amount is required' })
  @Validate(IsAmountInput)
  amount!: string | number;

  @ApiProperty({ description: '1-64 characters; stored in lower case', example: 'food' })
  @IsString({ message: 'category must be a string' })
  category!: string;

  @ApiPropertyOptional({ description: '0-500 characters', example: 'Lunch' })
  @IsOptional()
  @IsString({ message: 'description must be a string' })
  description?: string;

  @ApiPropertyOptional({
    description: "Calendar date YYYY-MM-DD; defaults to today in the ledger's time zone",
    example: '2026-11-24',
  })
  @IsOptional()
  @IsString({ message: 'date must be a string written YYYY-MM-DD' })
  date?: string;

  @ApiPropertyOptional({ description: "ISO 4217 code; defaults to the ledger's currency", example: 'USD' })
  @IsOptional()
  @IsString({ message: 'currency must be a string such as "USD"' })
  currency?: string;

  @ApiPropertyOptional({ description: 'Record another identical expense on purpose', default: false })
  @IsOptional()
  @IsBoolean({ message: 'allowDuplicate must be true or false' })
  allowDuplicate?: boolean;
}
