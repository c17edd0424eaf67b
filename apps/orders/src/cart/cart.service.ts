import { Injectable } from '@nestjs/common';
import { requireCaller, type CallerIdentity } from '@yugong/shared/auth';
import { parseRequest, type Loose } from '@yugong/shared/grpc';
import type { z } from 'zod';
import { CatalogClient } from '../catalog/catalog.client';
import { CartLimit, NoCart, ProductNotForSale } from './cart.errors';
import {
  addCartItemSchema,
  cartItemSchema,
  getCartSchema,
  mergeCartSchema,
  removeCartItemSchema,
} from './cart.schemas';
import { CartStore, type CartOwner } from './cart.store';

export interface PricedCartItem {
  productId: string;
  quantity: number;
  nameZh: string;
  nameEn: string;
  unit: string;
  unitPriceFen: number | undefined;
  currency: string;
  lineTotalFen: number | undefined;
  available: boolean;
  stock: number;
  producerId: string;
}

export interface PricedCart {
  items: PricedCartItem[];
  subtotalFen: number;
  expiresAt: Date | undefined;
}

/** Carts: a signed-in caller's own, else the anonymous one its token names; priced live by catalog. */
@Injectable()
export class CartService {
  constructor(
    private readonly carts: CartStore,
    private readonly catalog: CatalogClient,
  ) {}

  async get(caller: CallerIdentity | null, input: Loose<{ cartToken: string }>): Promise<PricedCart> {
    const { cartToken } = parseRequest(getCartSchema, input);
    return this.priced(this.owner(caller, cartToken));
  }

  async add(
    caller: CallerIdentity | null,
    input: Loose<z.input<typeof cartItemSchema>>,
  ): Promise<PricedCart> {
    const req = parseRequest(addCartItemSchema, input);
    const owner = this.owner(caller, req.cartToken);
    await this.ensureForSale(req.productId);
    if ((await this.carts.add(owner, req.productId, req.quantity)) === undefined) {
      throw new CartLimit();
    }
    return this.priced(owner);
  }

  async update(
    caller: CallerIdentity | null,
    input: Loose<z.input<typeof cartItemSchema>>,
  ): Promise<PricedCart> {
    const req = parseRequest(cartItemSchema, input);
    const owner = this.owner(caller, req.cartToken);
    if (req.quantity > 0) {
      await this.ensureForSale(req.productId);
    }
    if (!(await this.carts.set(owner, req.productId, req.quantity))) {
      throw new CartLimit();
    }
    return this.priced(owner);
  }

  async remove(
    caller: CallerIdentity | null,
    input: Loose<{ cartToken: string; productId: string }>,
  ): Promise<PricedCart> {
    const req = parseRequest(removeCartItemSchema, input);
    const owner = this.owner(caller, req.cartToken);
    await this.carts.set(owner, req.productId, 0);
    return this.priced(owner);
  }

  /** Moves the anonymous cart into the signed-in caller's. */
  async merge(caller: CallerIdentity | null, input: Loose<{ cartToken: string }>): Promise<PricedCart> {
    const who = requireCaller(caller);
    const { cartToken } = parseRequest(mergeCartSchema, input);
    if (cartToken) {
      await this.carts.merge(cartToken, who.userId);
    }
    return this.priced({ userId: who.userId });
  }

  /** Catalog answers only for products that exist and are on sale. */
  private async ensureForSale(productId: string): Promise<void> {
    const [product] = await this.catalog.getProducts([productId]);
    if (!product) {
      throw new ProductNotForSale();
    }
  }

  private owner(caller: CallerIdentity | null, cartToken: string): CartOwner {
    if (caller) {
      return { userId: caller.userId };
    }
    if (!cartToken) {
      throw new NoCart();
    }
    return { token: cartToken };
  }

  private async priced(owner: CartOwner): Promise<PricedCart> {
    const lines = await this.carts.read(owner);
    const products = new Map(
      (await this.catalog.getProducts(lines.map((l) => l.productId))).map((p) => [p.id, p]),
    );
    const items = lines.map((line): PricedCartItem => {
      const p = products.get(line.productId);
      const unitPriceFen = p?.price?.fen;
      return {
        productId: line.productId,
        quantity: line.quantity,
        nameZh: p?.nameZh ?? '',
        nameEn: p?.nameEn ?? '',
        unit: p?.unit ?? '',
        unitPriceFen,
        currency: p?.price?.currency || 'CNY',
        lineTotalFen: unitPriceFen === undefined ? undefined : unitPriceFen * line.quantity,
        available: p !== undefined && p.stock >= line.quantity,
        stock: p?.stock ?? 0,
        producerId: p?.producerId ?? '',
      };
    });
    const ttl = lines.length > 0 ? await this.carts.ttl(owner) : -2;
    return {
      items,
      subtotalFen: items.reduce((sum, i) => sum + (i.available ? (i.lineTotalFen ?? 0) : 0), 0),
      expiresAt: ttl > 0 ? new Date(Date.now() + ttl * 1_000) : undefined,
    };
  }
}
