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
  type AdminCourierList,
  type AdminIngredientList,
  type AdminProductList,
  type AdminShopList,
  type AdminStaffList,
} from '../contract/index.js';
import { requireStaff } from '../http/session-principal.js';
import { parseInput } from '../http/validate.js';
import { backOfficeActor, type BackOfficeService } from './back-office-service.js';

/**
 * The back-office API, mounted at /api/admin only when SECRET_ADMIN_URL is set. Every path under
 * it, known or not, first refuses anyone but group admins and shop managers (401 / 403); what
 * each of them may change is then the service's decision.
 */
export function backOfficeRoutes(backOffice: BackOfficeService): Router {
  const router = Router();
  router.use((req, _res, next) => {
    backOfficeActor(requireStaff(req));
    next();
  });
  const actor = (req: Parameters<typeof requireStaff>[0]) => backOfficeActor(requireStaff(req));

  router.get('/shops', async (req, res) => {
    const body: AdminShopList = { shops: await backOffice.shops(actor(req)) };
    res.json(body);
  });
  router.patch('/shops/:shopId', async (req, res) => {
    const { shopId } = parseInput(ShopIdParam, req.params, 'shop id');
    res.json(await backOffice.updateShop(shopId, parseInput(UpdateShopBody, req.body), actor(req)));
  });

  router.post('/shops/:shopId/closures', async (req, res) => {
    const { shopId } = parseInput(ShopIdParam, req.params, 'shop id');
    const who = actor(req);
    res.status(201).json(await backOffice.addClosure(shopId, parseInput(CreateClosureBody, req.body), who));
  });
  router.patch('/shops/:shopId/closures/:closureId', async (req, res) => {
    const { shopId, closureId } = parseInput(ClosureParam, req.params, 'shop or closure id');
    const body = parseInput(UpdateClosureBody, req.body);
    res.json(await backOffice.updateClosure(shopId, closureId, body, actor(req)));
  });
  router.delete('/shops/:shopId/closures/:closureId', async (req, res) => {
    const { shopId, closureId } = parseInput(ClosureParam, req.params, 'shop or closure id');
    await backOffice.removeClosure(shopId, closureId, actor(req));
    res.status(204).end();
  });

  router.get('/products', async (req, res) => {
    const body: AdminProductList = { products: await backOffice.products(actor(req)) };
    res.json(body);
  });
  router.post('/products', async (req, res) => {
    const who = actor(req);
    res.status(201).json(await backOffice.createProduct(parseInput(CreateProductBody, req.body), who));
  });
  router.patch('/products/:productId', async (req, res) => {
    const { productId } = parseInput(ProductIdParam, req.params, 'product id');
    res.json(await backOffice.updateProduct(productId, parseInput(UpdateProductBody, req.body), actor(req)));
  });

  router.get('/ingredients', async (req, res) => {
    const body: AdminIngredientList = { ingredients: await backOffice.ingredients(actor(req)) };
    res.json(body);
  });
  router.post('/ingredients', async (req, res) => {
    const who = actor(req);
    res.status(201).json(await backOffice.createIngredient(parseInput(CreateIngredientBody, req.body), who));
  });
  router.patch('/ingredients/:ingredientId', async (req, res) => {
    const { ingredientId } = parseInput(IngredientIdParam, req.params, 'ingredient id');
    res.json(
      await backOffice.updateIngredient(ingredientId, parseInput(UpdateIngredientBody, req.body), actor(req)),
    );
  });
  router.patch('/shops/:shopId/ingredients/:ingredientId', async (req, res) => {
    const { shopId, ingredientId } = parseInput(ShopIngredientParam, req.params, 'shop or ingredient id');
    res.json(
      await backOffice.updateThreshold(
        shopId,
        ingredientId,
        parseInput(UpdateThresholdBody, req.body),
        actor(req),
      ),
    );
  });

  router.get('/staff', async (req, res) => {
    const body: AdminStaffList = { staff: await backOffice.staff(actor(req)) };
    res.json(body);
  });
  router.post('/staff', async (req, res) => {
    const who = actor(req);
    res.status(201).json(await backOffice.createStaff(parseInput(CreateStaffBody, req.body), who));
  });
  router.patch('/staff/:staffId', async (req, res) => {
    const { staffId } = parseInput(StaffIdParam, req.params, 'staff id');
    res.json(await backOffice.updateStaff(staffId, parseInput(UpdateStaffBody, req.body), actor(req)));
  });

  router.get('/couriers', async (req, res) => {
    const body: AdminCourierList = { couriers: await backOffice.couriers(actor(req)) };
    res.json(body);
  });
  router.patch('/couriers/:staffId', async (req, res) => {
    const { staffId } = parseInput(StaffIdParam, req.params, 'courier id');
    res.json(await backOffice.updateCourier(staffId, parseInput(UpdateCourierBody, req.body), actor(req)));
  });

  router.get('/audit', async (req, res) => {
    res.json(await backOffice.audit(parseInput(AuditQuery, req.query, 'query'), actor(req)));
  });

  return router;
}
