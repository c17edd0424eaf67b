import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
} from 'class-validator';
import { Type } from 'class-transformer';
import { PageQuery } from '../../catalog/dto/catalog.dto';

export const LICENCE_STATUSES = [
  'pending',
  'approved',
  'rejected',
  'suspended',
  'revoked',
  'expired',
] as const;

/** A producer's application for the LOGO licence over some of its certified products. */
export class ApplyForLicenceDto {
  @ApiProperty({ description: 'The producer applying (its staff) or applied for (an officer)' })
  @IsUUID('all', { message: 'must be a UUID' })
  producerId!: string;

  @ApiProperty({ type: [String], description: '1..50 certified products of that producer' })
  @IsArray({ message: 'must be a list of product ids' })
  @ArrayMinSize(1, { message: 'must name at least one product' })
  @ArrayMaxSize(50, { message: 'must name at most 50 products' })
  @IsUUID('all', { each: true, message: 'must be product ids (UUIDs)' })
  productIds!: string[];

  @ApiPropertyOptional({ description: 'Basis points of the unit price committed, 0..3000', example: 200 })
  @IsOptional()
  @IsInt({ message: 'must be whole basis points' })
  @Min(0, { message: 'must not be negative' })
  @Max(3_000, { message: 'must be at most 3000' })
  commitmentBps?: number;

  @ApiPropertyOptional({ description: 'At least this much per unit, fen', example: 50 })
  @IsOptional()
  @IsInt({ message: 'must be whole fen' })
  @Min(0, { message: 'must not be negative' })
  @Max(100_000, { message: 'must be at most 100000 fen' })
  minPerUnitFen?: number;

  @ApiPropertyOptional({ description: "The applicant's statement" })
  @IsOptional()
  @IsString({ message: 'must be a string' })
  @MaxLength(2_000, { message: 'must be at most 2000 characters' })
  note?: string;
}

export class ApproveLicenceDto {
  @ApiProperty({
    description: 'YYYY-MM-DD (00:00 that day in China) or an ISO 8601 date-time',
    example: '2020-06-01',
  })
  @IsString({ message: 'must be a date or a date-time' })
  @MinLength(1, { message: 'is required' })
  @MaxLength(40, { message: 'must be a date or a date-time' })
  validFrom!: string;

  @ApiProperty({
    description: 'Exclusive; after validFrom, in the future, within 5 years',
    example: '2027-01-01',
  })
  @IsString({ message: 'must be a date or a date-time' })
  @MinLength(1, { message: 'is required' })
  @MaxLength(40, { message: 'must be a date or a date-time' })
  validTo!: string;
}

export class LicenceReasonDto {
  @ApiProperty({ example: 'LOGO printed on products the licence does not name' })
  @IsString({ message: 'must be a string' })
  @MinLength(1, { message: 'is required' })
  @MaxLength(500, { message: 'must be at most 500 characters' })
  reason!: string;
}

export class ListLicencesQuery extends PageQuery {
  @ApiPropertyOptional()
  @IsOptional()
  @IsUUID('all', { message: 'must be a UUID' })
  producerId?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsUUID('all', { message: 'must be a UUID' })
  productId?: string;

  @ApiPropertyOptional({ enum: LICENCE_STATUSES })
  @IsOptional()
  @IsIn(LICENCE_STATUSES, { message: `must be one of ${LICENCE_STATUSES.join(', ')}` })
  status?: (typeof LICENCE_STATUSES)[number];
}

/** A batch of label codes for a lot of a licensed product. */
export class OrderLabelBatchDto {
  @ApiProperty({ description: 'A product a live licence of the producer covers now' })
  @IsUUID('all', { message: 'must be a UUID' })
  productId!: string;

  @ApiProperty({ description: 'A lot of that product' })
  @IsUUID('all', { message: 'must be a UUID' })
  lotId!: string;

  @ApiProperty({ description: 'Codes to issue, 1..10000', example: 100 })
  @IsInt({ message: 'must be a whole number' })
  @Min(1, { message: 'must be at least 1' })
  @Max(10_000, { message: 'must be at most 10000' })
  quantity!: number;
}

export class LabelSheetQuery {
  @ApiPropertyOptional({ description: 'Page of the sheet, 1-based (24 labels a page)', example: 1 })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'must be a whole number' })
  @Min(1, { message: 'must be at least 1' })
  page?: number;
}

/** A licensee's declaration of one quarter's sales made outside the platform. */
export class DeclareSalesDto {
  @ApiProperty({
    description: 'An ended calendar quarter (China time) the licence was in force',
    example: '2020-Q3',
  })
  @IsString({ message: 'must be a quarter, YYYY-Qn' })
  @Matches(/^\d{4}-Q[1-4]$/, { message: 'must be a quarter, YYYY-Qn (e.g. 2020-Q3)' })
  quarter!: string;

  @ApiPropertyOptional({
    description: 'Units sold outside the platform (needed by a minimum per unit)',
    example: 1200,
  })
  @IsOptional()
  @IsInt({ message: 'must be a whole number' })
  @Min(0, { message: 'must not be negative' })
  @Max(1_000_000_000, { message: 'must be at most 1000000000' })
  units?: number;

  @ApiPropertyOptional({ description: 'Revenue of those sales, fen (needed by a rate)', example: 4_560_000 })
  @IsOptional()
  @IsInt({ message: 'must be whole fen' })
  @Min(0, { message: 'must not be negative' })
  @Max(1_000_000_000_000, { message: 'must be at most 1000000000000' })
  revenueFen?: number;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString({ message: 'must be a string' })
  @MaxLength(2_000, { message: 'must be at most 2000 characters' })
  note?: string;
}

export class ListDeclarationsQuery extends PageQuery {
  @ApiPropertyOptional()
  @IsOptional()
  @IsUUID('all', { message: 'must be a UUID' })
  licenceId?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsUUID('all', { message: 'must be a UUID' })
  producerId?: string;

  @ApiPropertyOptional({ example: '2020-Q3' })
  @IsOptional()
  @Matches(/^\d{4}-Q[1-4]$/, { message: 'must be a quarter, YYYY-Qn (e.g. 2020-Q3)' })
  quarter?: string;
}

/** A payment of a declared commitment received in the relief office's bank account. */
export class DeclarationPaymentDto {
  @ApiProperty({ description: 'Fen received; at most what is still due', example: 50_000 })
  @IsInt({ message: 'must be whole fen' })
  @Min(1, { message: 'must be above zero' })
  @Max(1_000_000_000_000, { message: 'must be at most 1000000000000' })
  amountFen!: number;

  @ApiPropertyOptional({ description: "The bank's reference of the transfer" })
  @IsOptional()
  @IsString({ message: 'must be a string' })
  @MaxLength(200, { message: 'must be at most 200 characters' })
  reference?: string;
}
