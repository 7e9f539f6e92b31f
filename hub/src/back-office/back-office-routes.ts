import { Router } from 'express';
import {
  AuditQuery,
  ClosureParam,
  CreateClosureBody,
  CreateIngredientBody,
  CreateProductBody,
  CreateStaffBody,
  IngredientIdParam,
  ProductIdParam,
  ShopIdParam,
  ShopIngredientParam,
  StaffIdParam,
  UpdateClosureBody,
  UpdateCourierBody,
  UpdateIngredientBody,
  UpdateProductBody,
  UpdateShopBody,
  UpdateStaffBody,
  UpdateThresholdBody,
  AdminCourier,
  AdminCourierList,
  AdminIngredient,
  AdminIngredientList,
  AdminProduct,
  AdminProductList,
  AdminShop,
  ShopClosure,
  AdminShopList,
  AdminStaff,
  AdminStaffList,
  AuditPage,
} from '../contract/index.js';
import { apiRoute, type ApiOperation } from '../http/api-route.js';
import { requireStaff } from '../http/session-principal.js';
import { parseInput } from '../http/validate.js';
import { backOfficeActor, type BackOfficeService } from './back-office-service.js';

/**
 * The back-office API, mounted at /api/admin only when SECRET_ADMIN_URL is set. Every path under
 * it, known or not, first refuses anyone but group admins and shop managers (401 / 403); what
 * each of them may change is then the service's decision.
 */
const STAFF_ID = '5d3c9a8e-1b2f-4e6a-8c7d-9e0f1a2b3c4d';

export function backOfficeRoutes(backOffice: BackOfficeService): Router {
  const router = Router();
  router.use((req, _res, next) => {
    backOfficeActor(requireStaff(req));
    next();
  });
  const actor = (req: Parameters<typeof requireStaff>[0]) => backOfficeActor(requireStaff(req));
  type Spec = Omit<ApiOperation, 'tag' | 'access' | 'roles' | 'audience'>;
  const route = (spec: Spec, handler: Parameters<typeof apiRoute>[2]) =>
    apiRoute(
      router,
      { ...spec, tag: 'Back-office', access: 'staff', roles: ['admin', 'manager'], audience: 'back-office' },
      handler,
    );
  const ok = (description: string, schema: ApiOperation['response']['schema']) =>
    ({ status: 200, description, schema }) as const;
  const created = (description: string, schema: ApiOperation['response']['schema']) =>
    ({ status: 201, description, schema }) as const;

  route(
    {
      method: 'get',
      path: '/shops',
      summary: 'The shops you manage',
      response: ok('The shops.', AdminShopList),
    },
    async (req, res) => {
      const body: AdminShopList = { shops: await backOffice.shops(actor(req)) };
      res.json(body);
    },
  );
  route(
    {
      method: 'patch',
      path: '/shops/:shopId',
      summary: 'Change a shop (hours, zone, status…)',
      params: ShopIdParam,
      body: UpdateShopBody,
      errors: ['shop/not_found'],
      example: { params: { shopId: 1 }, body: { deliveryRadiusM: 3000, kitchenWarnMinutes: 5 } },
      response: ok('The shop.', AdminShop),
    },
    async (req, res) => {
      const { shopId } = parseInput(ShopIdParam, req.params, 'shop id');
      res.json(await backOffice.updateShop(shopId, parseInput(UpdateShopBody, req.body), actor(req)));
    },
  );

  route(
    {
      method: 'post',
      path: '/shops/:shopId/closures',
      summary: 'Close a shop for whole days (holidays, works): no web orders into them',
      params: ShopIdParam,
      body: CreateClosureBody,
      errors: ['shop/not_found'],
      example: {
        params: { shopId: 1 },
        body: { startsOn: '2027-08-02', endsOn: '2027-08-16', reason: 'Congés' },
      },
      response: { status: 201, description: 'The closure.', schema: ShopClosure },
    },
    async (req, res) => {
      const { shopId } = parseInput(ShopIdParam, req.params, 'shop id');
      const who = actor(req);
      res.status(201).json(await backOffice.addClosure(shopId, parseInput(CreateClosureBody, req.body), who));
    },
  );

  route(
    {
      method: 'patch',
      path: '/shops/:shopId/closures/:closureId',
      summary: 'Change a closure: its days or its reason',
      params: ClosureParam,
      body: UpdateClosureBody,
      errors: ['shop/not_found', 'closure/not_found'],
      example: { params: { shopId: 1, closureId: 1 }, body: { reason: 'Travaux du four' } },
      response: ok('The closure.', ShopClosure),
    },
    async (req, res) => {
      const { shopId, closureId } = parseInput(ClosureParam, req.params, 'shop or closure id');
      const body = parseInput(UpdateClosureBody, req.body);
      res.json(await backOffice.updateClosure(shopId, closureId, body, actor(req)));
    },
  );

  route(
    {
      method: 'delete',
      path: '/shops/:shopId/closures/:closureId',
      summary: 'Remove a closure',
      params: ClosureParam,
      errors: ['shop/not_found', 'closure/not_found'],
      example: { params: { shopId: 1, closureId: 1 } },
      response: { status: 204, description: 'Removed.' },
    },
    async (req, res) => {
      const { shopId, closureId } = parseInput(ClosureParam, req.params, 'shop or closure id');
      await backOffice.removeClosure(shopId, closureId, actor(req));
      res.status(204).end();
    },
  );

  route(
    {
      method: 'get',
      path: '/products',
      summary: 'Every product, active or not, with its recipe',
      response: ok('The products.', AdminProductList),
    },
    async (req, res) => {
      const body: AdminProductList = { products: await backOffice.products(actor(req)) };
      res.json(body);
    },
  );
  route(
    {
      method: 'post',
      path: '/products',
      summary: 'Add a product',
      body: CreateProductBody,
      errors: ['product/slug_taken', 'ingredient/not_found'],
      response: created('The product.', AdminProduct),
    },
    async (req, res) => {
      const who = actor(req);
      res.status(201).json(await backOffice.createProduct(parseInput(CreateProductBody, req.body), who));
    },
  );
  route(
    {
      method: 'patch',
      path: '/products/:productId',
      summary: 'Change a product, its recipe or its steps',
      params: ProductIdParam,
      body: UpdateProductBody,
      errors: ['product/not_found', 'product/slug_taken', 'ingredient/not_found'],
      example: { params: { productId: 1 }, body: { priceCents: 1090 } },
      response: ok('The product.', AdminProduct),
    },
    async (req, res) => {
      const { productId } = parseInput(ProductIdParam, req.params, 'product id');
      res.json(
        await backOffice.updateProduct(productId, parseInput(UpdateProductBody, req.body), actor(req)),
      );
    },
  );

  route(
    {
      method: 'get',
      path: '/ingredients',
      summary: 'Every ingredient, with its stock per shop',
      response: ok('The ingredients.', AdminIngredientList),
    },
    async (req, res) => {
      const body: AdminIngredientList = { ingredients: await backOffice.ingredients(actor(req)) };
      res.json(body);
    },
  );
  route(
    {
      method: 'post',
      path: '/ingredients',
      summary: 'Add an ingredient',
      body: CreateIngredientBody,
      errors: ['ingredient/name_taken'],
      example: { body: { name: 'Burrata', unit: 'piece', lowThreshold: 5 } },
      response: created('The ingredient.', AdminIngredient),
    },
    async (req, res) => {
      const who = actor(req);
      res
        .status(201)
        .json(await backOffice.createIngredient(parseInput(CreateIngredientBody, req.body), who));
    },
  );
  route(
    {
      method: 'patch',
      path: '/ingredients/:ingredientId',
      summary: 'Rename an ingredient',
      params: IngredientIdParam,
      body: UpdateIngredientBody,
      errors: ['ingredient/not_found', 'ingredient/name_taken'],
      example: { params: { ingredientId: 1 }, body: { name: 'Mozzarella fior di latte' } },
      response: ok('The ingredient.', AdminIngredient),
    },
    async (req, res) => {
      const { ingredientId } = parseInput(IngredientIdParam, req.params, 'ingredient id');
      res.json(
        await backOffice.updateIngredient(
          ingredientId,
          parseInput(UpdateIngredientBody, req.body),
          actor(req),
        ),
      );
    },
  );
  route(
    {
      method: 'patch',
      path: '/shops/:shopId/ingredients/:ingredientId',
      summary: 'Change a shop’s low-stock threshold of an ingredient',
      params: ShopIngredientParam,
      body: UpdateThresholdBody,
      errors: ['shop/not_found', 'ingredient/not_found', 'stock/not_found'],
      example: { params: { shopId: 1, ingredientId: 1 }, body: { lowThreshold: 25 } },
      response: ok('The ingredient.', AdminIngredient),
    },
    async (req, res) => {
      const { shopId, ingredientId } = parseInput(ShopIngredientParam, req.params, 'shop or ingredient id');
      res.json(
        await backOffice.updateThreshold(
          shopId,
          ingredientId,
          parseInput(UpdateThresholdBody, req.body),
          actor(req),
        ),
      );
    },
  );

  route(
    {
      method: 'get',
      path: '/staff',
      summary: 'The staff accounts you manage',
      response: ok('The accounts.', AdminStaffList),
    },
    async (req, res) => {
      const body: AdminStaffList = { staff: await backOffice.staff(actor(req)) };
      res.json(body);
    },
  );
  route(
    {
      method: 'post',
      path: '/staff',
      summary: 'Add a staff account',
      description: 'Only a group admin creates manager and admin accounts; a manager adds to their own shop.',
      body: CreateStaffBody,
      errors: ['auth/email_taken', 'shop/not_found'],
      response: created('The account.', AdminStaff),
    },
    async (req, res) => {
      const who = actor(req);
      res.status(201).json(await backOffice.createStaff(parseInput(CreateStaffBody, req.body), who));
    },
  );
  route(
    {
      method: 'patch',
      path: '/staff/:staffId',
      summary: 'Change a staff account (role, shop, password, deactivation)',
      params: StaffIdParam,
      body: UpdateStaffBody,
      errors: ['staff/not_found', 'staff/change_refused', 'auth/email_taken', 'shop/not_found'],
      example: { params: { staffId: STAFF_ID }, body: { active: false } },
      response: ok('The account.', AdminStaff),
    },
    async (req, res) => {
      const { staffId } = parseInput(StaffIdParam, req.params, 'staff id');
      res.json(await backOffice.updateStaff(staffId, parseInput(UpdateStaffBody, req.body), actor(req)));
    },
  );

  route(
    {
      method: 'get',
      path: '/couriers',
      summary: 'The couriers you manage',
      response: ok('The couriers.', AdminCourierList),
    },
    async (req, res) => {
      const body: AdminCourierList = { couriers: await backOffice.couriers(actor(req)) };
      res.json(body);
    },
  );
  route(
    {
      method: 'patch',
      path: '/couriers/:staffId',
      summary: 'Change a courier’s vehicle, capacity or shift',
      params: StaffIdParam,
      body: UpdateCourierBody,
      errors: ['courier/not_found', 'staff/change_refused'],
      example: { params: { staffId: STAFF_ID }, body: { vehicle: 'bike', capacity: 2 } },
      response: ok('The courier.', AdminCourier),
    },
    async (req, res) => {
      const { staffId } = parseInput(StaffIdParam, req.params, 'courier id');
      res.json(await backOffice.updateCourier(staffId, parseInput(UpdateCourierBody, req.body), actor(req)));
    },
  );

  route(
    {
      method: 'get',
      path: '/audit',
      summary: 'The audit trail of back-office changes, newest first',
      query: AuditQuery,
      example: { query: { limit: 20, entity: 'product' } },
      response: ok('A page of entries.', AuditPage),
    },
    async (req, res) => {
      res.json(await backOffice.audit(parseInput(AuditQuery, req.query, 'query'), actor(req)));
    },
  );

  return router;
}
