import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  IsArray,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
} from 'class-validator';
import { Transform } from 'class-transformer';

/** `true`/`false` in a query string. */
const queryBoolean = () =>
  Transform(({ value }) => (value === 'true' ? true : value === 'false' ? false : value));
const IsQueryBoolean = () => IsIn([true, false], { message: 'must be true or false' });

export const BATCH_STATES = ['draft', 'sent', 'settled'] as const;

export class CreatePayoutBatchDto {
  @ApiProperty({ minimum: 1, description: 'only household balances of at least this many fen' })
  @IsInt({ message: 'must be an integer (fen)' })
  @Min(1, { message: 'must be at least 1 fen' })
  @Max(100_000_000_00, { message: 'is too large' })
  minimumFen!: number;

  @ApiPropertyOptional({ maxLength: 200 })
  @IsOptional()
  @IsString({ message: 'must be a string' })
  @MaxLength(200, { message: 'must be at most 200 characters' })
  memo?: string;
}

export class ListPayoutBatchesQuery {
  @ApiPropertyOptional({ enum: BATCH_STATES })
  @IsOptional()
  @IsIn(BATCH_STATES, { message: `must be one of ${BATCH_STATES.join(', ')}` })
  state?: (typeof BATCH_STATES)[number];
}

export class SettlePayoutBatchDto {
  @ApiProperty({
    type: [String],
    description: 'references of the lines the bank returned as failed; [] when all were paid',
  })
  @IsArray({ message: 'must be an array of references' })
  @ArrayMaxSize(10_000, { message: 'at most 10000 references' })
  @IsString({ each: true, message: 'must be strings' })
  @MaxLength(40, { each: true, message: 'each must be at most 40 characters' })
  failedReferences!: string[];
}

export class SetPayoutAccountDto {
  @ApiProperty({ maxLength: 60, example: '王建波' })
  @IsString({ message: 'must be a string' })
  @MinLength(1, { message: 'is required' })
  @MaxLength(60, { message: 'must be at most 60 characters' })
  payeeName!: string;

  @ApiProperty({ description: '8 to 30 digits (spaces and dashes ignored)', example: '6228480012345678901' })
  @IsString({ message: 'must be a string' })
  @Matches(/^[\d\s-]{8,40}$/, { message: 'must be 8 to 30 digits' })
  accountNumber!: string;

  @ApiProperty({ maxLength: 80, example: '济源农商银行' })
  @IsString({ message: 'must be a string' })
  @MinLength(2, { message: 'must be at least 2 characters' })
  @MaxLength(80, { message: 'must be at most 80 characters' })
  bankName!: string;
}

/** A producer's bank account: the payee is the business, so a longer name than a household head's. */
export class SetProducerPayoutAccountDto {
  @ApiProperty({ maxLength: 100, example: '济源市愚公农业专业合作社' })
  @IsString({ message: 'must be a string' })
  @MinLength(1, { message: 'is required' })
  @MaxLength(100, { message: 'must be at most 100 characters' })
  payeeName!: string;

  @ApiProperty({ description: '8 to 30 digits (spaces and dashes ignored)', example: '41050166880800000123' })
  @IsString({ message: 'must be a string' })
  @Matches(/^[\d\s-]{8,40}$/, { message: 'must be 8 to 30 digits' })
  accountNumber!: string;

  @ApiProperty({ maxLength: 80, example: '中国建设银行济源分行' })
  @IsString({ message: 'must be a string' })
  @MinLength(2, { message: 'must be at least 2 characters' })
  @MaxLength(80, { message: 'must be at most 80 characters' })
  bankName!: string;
}

export class GetPayoutAccountQuery {
  @ApiPropertyOptional({
    description: 'Relief office: why the account is read in full (recorded in the access log)',
  })
  @IsOptional()
  @IsString()
  @MinLength(2, { message: 'must be at least 2 characters' })
  @MaxLength(200, { message: 'must be at most 200 characters' })
  purpose?: string;

  @ApiPropertyOptional({ description: 'the masked view (no purpose needed, nothing recorded)' })
  @IsOptional()
  @queryBoolean()
  @IsQueryBoolean()
  masked?: boolean;
}
