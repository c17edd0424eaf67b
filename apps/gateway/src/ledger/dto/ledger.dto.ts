import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsISO8601, IsOptional } from 'class-validator';

/** How a report may be asked for: JSON (default) or CSV (`?format=csv` or `Accept: text/csv`). */
export class ReportFormatQuery {
  @ApiPropertyOptional({ enum: ['json', 'csv'], default: 'json' })
  @IsOptional()
  @IsIn(['json', 'csv'], { message: 'must be json or csv' })
  format?: 'json' | 'csv';
}

export const RELIEF_INCOME_GROUPINGS = [
  'town',
  'village',
  'household',
  'producer',
  'product',
  'month',
] as const;
export type ReliefIncomeGroupBy = (typeof RELIEF_INCOME_GROUPINGS)[number];

export class ReliefIncomeQuery extends ReportFormatQuery {
  @ApiPropertyOptional({ enum: RELIEF_INCOME_GROUPINGS, default: 'village' })
  @IsOptional()
  @IsIn(RELIEF_INCOME_GROUPINGS, { message: `must be one of ${RELIEF_INCOME_GROUPINGS.join(', ')}` })
  groupBy?: ReliefIncomeGroupBy;

  @ApiPropertyOptional({
    format: 'date-time',
    description: 'transactions at or after this instant (a date is midnight UTC)',
    example: '2020-05-01T00:00:00+08:00',
  })
  @IsOptional()
  @IsISO8601({ strict: true }, { message: 'must be an ISO 8601 date or instant' })
  from?: string;

  @ApiPropertyOptional({
    format: 'date-time',
    description: 'transactions before this instant',
    example: '2020-06-01T00:00:00+08:00',
  })
  @IsOptional()
  @IsISO8601({ strict: true }, { message: 'must be an ISO 8601 date or instant' })
  to?: string;
}
