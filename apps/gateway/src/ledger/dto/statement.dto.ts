import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsISO8601, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { ReportFormatQuery } from './ledger.dto';

export class StatementQuery extends ReportFormatQuery {
  @ApiPropertyOptional({
    format: 'date-time',
    description:
      'postings at or after this instant (a date is midnight UTC); the opening balance is the balance here',
    example: '2020-05-01T00:00:00+08:00',
  })
  @IsOptional()
  @IsISO8601({ strict: true }, { message: 'must be an ISO 8601 date or instant' })
  from?: string;

  @ApiPropertyOptional({ format: 'date-time', description: 'postings before this instant' })
  @IsOptional()
  @IsISO8601({ strict: true }, { message: 'must be an ISO 8601 date or instant' })
  to?: string;

  @ApiPropertyOptional({ description: 'JSON only: the nextCursor of the page before' })
  @IsOptional()
  @IsString({ message: 'must be a string' })
  @MaxLength(200, { message: 'is not a cursor this statement gave' })
  cursor?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: 500, default: 100, description: 'JSON only: entries per page' })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'must be an integer' })
  @Min(1, { message: 'must be 1 or more' })
  @Max(500, { message: 'must be at most 500' })
  limit?: number;
}

export class IncomeWindowsQuery {
  @ApiPropertyOptional({ format: 'date-time', description: 'where the two windows end; default now' })
  @IsOptional()
  @IsISO8601({ strict: true }, { message: 'must be an ISO 8601 date or instant' })
  asOf?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: 60, default: 12 })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'must be an integer' })
  @Min(1, { message: 'must be 1 or more' })
  @Max(60, { message: 'must be at most 60' })
  windowMonths?: number;
}
