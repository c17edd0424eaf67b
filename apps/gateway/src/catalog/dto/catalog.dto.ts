import { ApiProperty, ApiPropertyOptional, PartialType } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUrl,
  IsUUID,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateBy,
  ValidateNested,
} from 'class-validator';
import { Transform, Type } from 'class-transformer';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_DEPTH, PAGE_TOO_DEEP } from '@yugong/shared/grpc';
import { MAX_PRICE_FEN } from '@yugong/shared/money';

export const PRODUCER_KINDS = ['cooperative', 'leading_enterprise', 'family_farm', 'industry_base'] as const;
export const PRODUCER_STATUSES = ['pending', 'verified', 'suspended'] as const;
export const PRODUCT_STATUSES = ['draft', 'active', 'archived'] as const;

/** A page number whose page ends within {@link MAX_PAGE_DEPTH} rows at the request's page size. */
function WithinPageDepth(): PropertyDecorator {
  return ValidateBy({
    name: 'withinPageDepth',
    validator: {
      validate: (page: unknown, args) =>
        typeof page !== 'number' ||
        page * ((args?.object as PageQuery).pageSize ?? DEFAULT_PAGE_SIZE) <= MAX_PAGE_DEPTH,
      defaultMessage: () => PAGE_TOO_DEEP,
    },
  });
}

/** `page` (from 1) and `pageSize` (1..100) of a list; page × pageSize at most 10,000. */
export class PageQuery {
  @ApiPropertyOptional({ minimum: 1, default: 1, description: `page × pageSize at most ${MAX_PAGE_DEPTH}` })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'must be an integer' })
  @Min(1, { message: 'must be 1 or more' })
  @Max(1_000_000)
  @WithinPageDepth()
  page?: number;

  @ApiPropertyOptional({ minimum: 1, maximum: 100, default: 20 })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'must be an integer' })
  @Min(1, { message: 'must be 1 or more' })
  @Max(100, { message: 'must be at most 100' })
  pageSize?: number;
}

/** A list that grows long: past page numbers, `cursor` (the `nextCursor` of the page before). */
export class CursorQuery extends PageQuery {
  @ApiPropertyOptional({ description: 'The nextCursor of the previous page; page is then ignored' })
  @IsOptional()
  @IsString({ message: 'must be a string' })
  @MaxLength(1_024, { message: 'is not a cursor this list gave' })
  cursor?: string;
}

export class ListProductsQuery extends PageQuery {
  @ApiPropertyOptional({ description: 'Matches the Chinese or English name' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  q?: string;

  @ApiPropertyOptional({ example: 'honey' })
  @IsOptional()
  @IsString()
  @MaxLength(40)
  category?: string;

  @ApiPropertyOptional({ example: '王屋镇' })
  @IsOptional()
  @IsString()
  @MaxLength(50)
  town?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsUUID('all', { message: 'must be a UUID' })
  producerId?: string;

  @ApiPropertyOptional({ description: 'Include draft/archived products (officers, auditors, own staff)' })
  @IsOptional()
  @Transform(({ value }) => (value === 'true' ? true : value === 'false' ? false : value))
  @IsBoolean({ message: 'must be true or false' })
  includeUnlisted?: boolean;
}

export class CreateProducerDto {
  @ApiProperty({ enum: PRODUCER_KINDS })
  @IsIn(PRODUCER_KINDS, { message: `must be one of ${PRODUCER_KINDS.join(', ')}` })
  kind!: (typeof PRODUCER_KINDS)[number];

  @ApiProperty({ example: '济源市王屋镇谭庄村蜂业专业合作社' })
  @IsString()
  @MinLength(1, { message: 'is required' })
  @MaxLength(200)
  legalName!: string;

  @ApiProperty({
    description: '统一社会信用代码 (18 characters, check character validated)',
    example: '91350100M000100Y43',
  })
  @IsString()
  @MaxLength(18, { message: 'must be 18 characters' })
  @MinLength(18, { message: 'must be 18 characters' })
  creditCode!: string;

  @ApiProperty({ example: '王屋镇' })
  @IsString()
  @MinLength(1, { message: 'is required' })
  @MaxLength(50)
  town!: string;

  @ApiPropertyOptional({ example: '谭庄村' })
  @IsOptional()
  @IsString()
  @MaxLength(50)
  village?: string;

  @ApiProperty({
    description: 'Share of each sale promised to households, in basis points',
    minimum: 0,
    maximum: 10000,
  })
  @IsInt({ message: 'must be an integer' })
  @Min(0, { message: 'must be 0 or more' })
  @Max(10_000, { message: 'must be at most 10000' })
  householdShareBps!: number;

  @ApiPropertyOptional({
    type: [String],
    description: "References to the application's documents (ids or URLs in a document store)",
  })
  @IsOptional()
  @IsArray({ message: 'must be a list' })
  @ArrayMaxSize(20, { message: 'at most 20 documents' })
  @IsString({ each: true, message: 'each must be a string' })
  @MinLength(1, { each: true, message: 'each is required' })
  @MaxLength(300, { each: true, message: 'each must be at most 300 characters' })
  documents?: string[];
}

export class SetProducerStatusDto {
  @ApiProperty({ enum: PRODUCER_STATUSES })
  @IsIn(PRODUCER_STATUSES, { message: `must be one of ${PRODUCER_STATUSES.join(', ')}` })
  status!: (typeof PRODUCER_STATUSES)[number];

  @ApiPropertyOptional({ description: 'Required to suspend and to reinstate a suspended producer' })
  @IsOptional()
  @IsString({ message: 'must be a string' })
  @MaxLength(500, { message: 'must be at most 500 characters' })
  reason?: string;
}

export const CERTIFICATE_STATUSES = ['valid', 'revoked', 'expired'] as const;

export class CertifyProductDto {
  @ApiProperty({
    description: 'YYYY-MM-DD (00:00 that day in China) or an ISO 8601 date-time with an offset',
    example: '2027-01-01',
  })
  @IsString({ message: 'must be a date or a date-time' })
  @MinLength(1, { message: 'is required' })
  @MaxLength(40, { message: 'must be a date or a date-time' })
  validFrom!: string;

  @ApiProperty({ description: 'Exclusive; after validFrom and in the future', example: '2028-01-01' })
  @IsString({ message: 'must be a date or a date-time' })
  @MinLength(1, { message: 'is required' })
  @MaxLength(40, { message: 'must be a date or a date-time' })
  validTo!: string;
}

export class RevokeCertificateDto {
  @ApiProperty({ example: 'sold products of another origin as certified' })
  @IsString({ message: 'must be a string' })
  @MinLength(1, { message: 'is required' })
  @MaxLength(500, { message: 'must be at most 500 characters' })
  reason!: string;
}

export class ListCertificatesQuery extends PageQuery {
  @ApiPropertyOptional()
  @IsOptional()
  @IsUUID('all', { message: 'must be a UUID' })
  productId?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsUUID('all', { message: 'must be a UUID' })
  producerId?: string;

  @ApiPropertyOptional({ enum: CERTIFICATE_STATUSES })
  @IsOptional()
  @IsIn(CERTIFICATE_STATUSES, { message: `must be one of ${CERTIFICATE_STATUSES.join(', ')}` })
  status?: (typeof CERTIFICATE_STATUSES)[number];
}

export class ReviewQueueQuery {
  @ApiPropertyOptional({ minimum: 1, maximum: 100, default: 50 })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'must be an integer' })
  @Min(1, { message: 'must be 1 or more' })
  @Max(100, { message: 'must be at most 100' })
  limit?: number;
}

export class SetHouseholdShareDto {
  @ApiProperty({
    description: 'Share of each sale promised to households from effectiveFrom on, in basis points',
    minimum: 0,
    maximum: 10000,
    example: 1000,
  })
  @IsInt({ message: 'must be an integer' })
  @Min(0, { message: 'must be 0 or more' })
  @Max(10_000, { message: 'must be at most 10000' })
  basisPoints!: number;

  @ApiProperty({
    description:
      'YYYY-MM-DD (00:00 that day in China; today means now) or an ISO 8601 date-time with an offset; not in the past',
    example: '2027-01-01',
  })
  @IsString({ message: 'must be a date or a date-time' })
  @MinLength(1, { message: 'is required' })
  @MaxLength(40, { message: 'must be a date or a date-time' })
  effectiveFrom!: string;

  @ApiProperty({ example: 'benefit agreements renewed for 2027' })
  @IsString()
  @MinLength(1, { message: 'is required' })
  @MaxLength(500)
  reason!: string;
}

export class ListProducersQuery extends PageQuery {
  @ApiPropertyOptional({ enum: PRODUCER_STATUSES })
  @IsOptional()
  @IsIn(PRODUCER_STATUSES, { message: `must be one of ${PRODUCER_STATUSES.join(', ')}` })
  status?: (typeof PRODUCER_STATUSES)[number];
}

class ProductFieldsDto {
  @ApiProperty({ example: '太行山土蜂蜜' })
  @IsString()
  @MinLength(1, { message: 'is required' })
  @MaxLength(100)
  nameZh!: string;

  @ApiPropertyOptional({ example: 'Taihang wild honey' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  nameEn?: string;

  @ApiProperty({ example: 'honey' })
  @IsString()
  @MaxLength(40)
  category!: string;

  @ApiProperty({ example: 'jar (500 g)' })
  @IsString()
  @MinLength(1, { message: 'is required' })
  @MaxLength(20)
  unit!: string;

  @ApiProperty({ description: 'Price of one unit in fen (1 yuan = 100 fen)', example: 5800 })
  @IsInt({ message: 'must be a whole number of fen' })
  @Min(1, { message: 'must be positive' })
  @Max(MAX_PRICE_FEN, { message: `must be at most ${MAX_PRICE_FEN}` })
  priceFen!: number;

  @ApiPropertyOptional({ type: [String] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(10, { message: 'at most 10 images' })
  @IsUrl(
    { protocols: ['http', 'https'], require_protocol: true },
    { each: true, message: 'each must be an http(s) URL' },
  )
  imageUrls?: string[];

  @ApiPropertyOptional({ example: '谭庄村' })
  @IsOptional()
  @IsString()
  @MaxLength(50)
  originVillage?: string;

  @ApiPropertyOptional({
    description: '扶贫产品认定 number: issued by the platform when certified, so only empty is accepted',
  })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  reliefCertification?: string;
}

export class CreateProductDto extends ProductFieldsDto {
  @ApiPropertyOptional({ enum: ['draft', 'active'], default: 'draft' })
  @IsOptional()
  @IsIn(['draft', 'active'], { message: 'must be draft or active' })
  status?: 'draft' | 'active';

  @ApiPropertyOptional({
    description:
      "Sell from another product's lots instead of its own (same producer; that product sells from its own lots)",
    format: 'uuid',
  })
  @IsOptional()
  @IsUUID('all', { message: 'must be a UUID' })
  stockSourceProductId?: string;
}

/** Any product field; the ones given are changed. */
export class UpdateProductDto extends PartialType(ProductFieldsDto) {
  @ApiPropertyOptional({ enum: PRODUCT_STATUSES })
  @IsOptional()
  @IsIn(PRODUCT_STATUSES, { message: `must be one of ${PRODUCT_STATUSES.join(', ')}` })
  status?: (typeof PRODUCT_STATUSES)[number];
}

/** A household of the register that supplied part of a lot, and how many units. */
export class LotSupplierDto {
  @ApiProperty({ description: 'Household id in the beneficiaries register', format: 'uuid' })
  @IsUUID('all', { message: 'must be a UUID' })
  householdId!: string;

  @ApiProperty({ example: 40, description: 'Units of the lot this household supplied' })
  @IsInt({ message: 'must be a whole number' })
  @Min(1, { message: 'must be positive' })
  @Max(1_000_000_000)
  quantity!: number;
}

export class CreateLotDto {
  @ApiProperty({ example: 'HONEY-2020-03' })
  @IsString()
  @Matches(/^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$/, {
    message: 'must be 1-40 letters, digits, dot, dash or underscore',
  })
  lotCode!: string;

  @ApiProperty({ example: '2020-05-10' })
  @Matches(/^\d{4}-\d{2}-\d{2}$/, { message: 'must be a date YYYY-MM-DD' })
  producedOn!: string;

  @ApiProperty({ example: 200 })
  @IsInt({ message: 'must be a whole number' })
  @Min(1, { message: 'must be positive' })
  @Max(1_000_000_000)
  quantity!: number;

  @ApiPropertyOptional({
    type: [LotSupplierDto],
    description:
      'Households that supplied the lot; each must hold a supply agreement with the producer on the produced date, and the quantities add up to at most the lot quantity',
  })
  @IsOptional()
  @IsArray({ message: 'must be an array' })
  @ArrayMaxSize(1_000, { message: 'at most 1000 suppliers' })
  @ValidateNested({ each: true })
  @Type(() => LotSupplierDto)
  suppliers?: LotSupplierDto[];
}
