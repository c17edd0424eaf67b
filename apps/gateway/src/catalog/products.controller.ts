import { Body, Controller, Get, Header, Param, Patch, Post, Query, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { Caller, Public, type CallerIdentity } from '@yugong/shared/auth';
import { RequestId, uuidParam } from '../common/request-context.util';
import { CatalogGatewayService } from './catalog-gateway.service';
import { CreateLotDto, CreateProductDto, ListProductsQuery, UpdateProductDto } from './dto/catalog.dto';

@ApiTags('catalogue')
@Controller()
export class ProductsController {
  constructor(private readonly catalog: CatalogGatewayService) {}

  /** Active products of verified producers; served from cache. */
  @Public()
  @Get('products')
  @Header('content-type', 'application/json; charset=utf-8')
  async list(
    @Query() query: ListProductsQuery,
    @Caller() caller: CallerIdentity | null,
    @Req() request: FastifyRequest,
  ): Promise<string> {
    if (query.includeUnlisted) {
      return JSON.stringify(await this.catalog.list(query, { caller, requestId: request.id }, true));
    }
    return this.catalog.listPublic(query, { caller: null, requestId: request.id }, request.url);
  }

  @Public()
  @Get('products/:id')
  @Header('content-type', 'application/json; charset=utf-8')
  async get(
    @Param('id', uuidParam('id')) id: string,
    @Query('includeUnlisted') includeUnlisted: string | undefined,
    @Caller() caller: CallerIdentity | null,
    @Req() request: FastifyRequest,
  ): Promise<string> {
    if (includeUnlisted === 'true' && caller) {
      return JSON.stringify(await this.catalog.get(id, { caller, requestId: request.id }, true));
    }
    return this.catalog.getPublic(id, { caller: null, requestId: request.id }, request.url);
  }

  /** That producer's staff or a relief officer. */
  @ApiBearerAuth()
  @Post('producers/:id/products')
  async create(
    @Param('id', uuidParam('id')) producerId: string,
    @Body() body: CreateProductDto,
    @Caller() caller: CallerIdentity,
    @RequestId() requestId: string,
  ) {
    return this.catalog.createProduct(producerId, body, { caller, requestId });
  }

  @ApiBearerAuth()
  @Patch('products/:id')
  async update(
    @Param('id', uuidParam('id')) id: string,
    @Body() body: UpdateProductDto,
    @Caller() caller: CallerIdentity,
    @RequestId() requestId: string,
  ) {
    return this.catalog.updateProduct(id, body, { caller, requestId });
  }

  @ApiBearerAuth()
  @Post('products/:id/lots')
  async createLot(
    @Param('id', uuidParam('id')) id: string,
    @Body() body: CreateLotDto,
    @Caller() caller: CallerIdentity,
    @RequestId() requestId: string,
  ) {
    return this.catalog.createLot(id, body, { caller, requestId });
  }

  @ApiBearerAuth()
  @Get('products/:id/lots')
  async listLots(
    @Param('id', uuidParam('id')) id: string,
    @Caller() caller: CallerIdentity,
    @RequestId() requestId: string,
  ) {
    return this.catalog.listLots(id, { caller, requestId });
  }
}
