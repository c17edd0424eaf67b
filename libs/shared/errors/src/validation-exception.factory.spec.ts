import 'reflect-metadata';

import { plainToInstance, Type } from 'class-transformer';
import { IsArray, IsInt, IsString, Min, MinLength, ValidateNested, validateSync } from 'class-validator';

import { ValidationFailed } from './domain.errors';
import { validationExceptionFactory } from './validation-exception.factory';

class PriceDto {
  @IsInt()
  @Min(0)
  fen!: number;
}

class LineDto {
  @IsInt()
  quantity!: number;
}

class ProductDto {
  @IsString()
  @MinLength(2)
  name!: string;

  @ValidateNested()
  @Type(() => PriceDto)
  price!: PriceDto;

  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => LineDto)
  lines!: LineDto[];

  @IsString({ each: true })
  tags!: string[];
}

function validate(plain: object) {
  return validateSync(plainToInstance(ProductDto, plain), { whitelist: true, forbidNonWhitelisted: true });
}

describe(validationExceptionFactory.name, () => {
  const sut = validationExceptionFactory;

  it('names every field with its reason, recursing into objects and arrays', () => {
    const errors = validate({
      name: 'x',
      price: { fen: 1.5 },
      lines: [{ quantity: 1 }, { quantity: 'a' }],
      tags: [1],
    });

    const result = sut(errors);

    expect(result).toBeInstanceOf(ValidationFailed);
    expect(result.code).toBe('VALIDATION_FAILED');
    expect(result.fields).toEqual(
      expect.arrayContaining([
        { field: 'name', reason: 'must be longer than or equal to 2 characters' },
        { field: 'price.fen', reason: 'must be an integer number' },
        { field: 'lines.1.quantity', reason: 'must be an integer number' },
        { field: 'tags', reason: 'each value must be a string' },
      ]),
    );
    expect(result.fields).toHaveLength(4);
  });

  it('names unknown properties as not allowed, also nested ones', () => {
    const errors = validate({ name: 'ok', price: { fen: 1, cents: 2 }, lines: [], tags: [], foo: 1 });

    expect(sut(errors).fields).toEqual(
      expect.arrayContaining([
        { field: 'foo', reason: 'is not allowed' },
        { field: 'price.cents', reason: 'is not allowed' },
      ]),
    );
  });

  it('reports a nested value that is not an object', () => {
    const errors = validate({ name: 'ok', price: 'cheap', lines: [], tags: [] });

    expect(sut(errors).fields).toEqual([{ field: 'price', reason: 'must be either object or array' }]);
  });
});
