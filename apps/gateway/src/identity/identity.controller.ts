import { Body, Controller, Get, Headers, HttpCode, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiTags } from '@nestjs/swagger';
import { Caller, Public, Roles, type CallerIdentity } from '@yugong/shared/auth';
import { AuthRateLimited } from '../common/rate-limit.util';
import { RequestId } from '../common/request-context.util';
import { CartMergeService } from '../orders/cart-merge.service';
import { CART_TOKEN_HEADER, cartTokenOf } from '../orders/order-headers.util';
import type { CartJson } from '../orders/orders.views';
import { CreateAccountDto, LoginDto, RegisterDto, TokenView, UserView } from './dto/identity.dto';
import { IdentityService } from './identity.service';
import type { User } from './user.entity';

function toView(user: User): UserView {
  return {
    id: user.id,
    email: user.email,
    name: user.name,
    role: user.role,
    producerIds: user.producerIds,
    createdAt: user.createdAt.toISOString(),
  };
}

@ApiTags('identity')
@Controller()
export class IdentityController {
  constructor(
    private readonly identity: IdentityService,
    private readonly carts: CartMergeService,
  ) {}

  @Public()
  @AuthRateLimited()
  @Post('auth/register')
  async register(@Body() body: RegisterDto): Promise<UserView> {
    return toView(await this.identity.register(body));
  }

  @Public()
  @AuthRateLimited()
  @Post('auth/login')
  @HttpCode(200)
  @ApiHeader({
    name: CART_TOKEN_HEADER,
    required: false,
    description: "an anonymous cart: a buyer's sign-in merges it into their own and answers `cart`",
  })
  async login(
    @Body() body: LoginDto,
    @Headers('cart-token') cartTokenHeader: string | undefined,
    @RequestId() requestId: string,
  ): Promise<TokenView & { user: UserView; cart?: CartJson | null }> {
    const cartToken = cartTokenOf(cartTokenHeader);
    const { accessToken, expiresIn, user } = await this.identity.login(body);
    const view = { accessToken, tokenType: 'Bearer' as const, expiresIn, user: toView(user) };
    if (!cartToken) {
      return view;
    }
    const caller = { userId: user.id, role: user.role, producerIds: user.producerIds };
    const cart = await this.carts.mergeOnSignIn(caller, cartToken, requestId);
    return cart === undefined ? view : { ...view, cart };
  }

  @ApiBearerAuth()
  @Get('me')
  async me(@Caller() caller: CallerIdentity): Promise<UserView> {
    return toView(await this.identity.me(caller));
  }

  /** Relief officers create producer staff (scoped to producers) and institution accounts; admins any. */
  @ApiBearerAuth()
  @Roles('relief_officer', 'admin')
  @Post('users')
  async createAccount(@Caller() caller: CallerIdentity, @Body() body: CreateAccountDto): Promise<UserView> {
    return toView(await this.identity.createAccount(caller, body));
  }
}
