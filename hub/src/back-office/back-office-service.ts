import {
  SHOP_ADMIN_FIELDS,
  type AdminCourier,
  type AdminIngredient,
  type AdminProduct,
  type AdminShop,
  type AdminStaff,
  type AuditEntity,
  type AuditPage,
  type AuditQuery,
  type CreateClosureBody,
  type CreateIngredientBody,
  type ShopClosure,
  type CreateProductBody,
  type CreateStaffBody,
  closureDaysProblem,
  type UpdateClosureBody,
  type UpdateCourierBody,
  type UpdateIngredientBody,
  type UpdateProductBody,
  type UpdateShopBody,
  type UpdateStaffBody,
  type UpdateThresholdBody,
} from '../contract/index.js';
import { hashPassword } from '../adapters/passwords.js';
import { pgErrorCode, type DatabasePool, type DatabaseTransactionConnection } from '../adapters/postgres.js';
import { isManagerOf, type Actor, type StaffActor } from '../domain/actor.js';
import { inRegulationOrder } from '../domain/allergens.js';
import { parisDate } from '../domain/opening-hours.js';
import { appError } from '../errors.js';
import type { Clock } from '../orders/orders-service.js';
import { appendEvent, type OutboxOptions } from '../outbox/outbox-repository.js';
import * as repo from './back-office-repository.js';

export type BackOfficeService = ReturnType<typeof createBackOfficeService>;

/** Roles a shop's manager may give and take: the shop's team, never a peer or an admin. */
const TEAM_ROLES = ['kitchen', 'counter', 'courier'] as const;

type Issue = { path: string; message: string };
const invalid = (issues: Issue[]) =>
  appError(
    'request/invalid',
    `The request body is invalid: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}.`,
    { issues },
  );

/** Who may use the back-office at all: group admins and shop managers. */
export function backOfficeActor(actor: Actor): StaffActor {
  if (actor.kind !== 'staff' || (actor.role !== 'admin' && actor.role !== 'manager')) {
    throw appError('auth/forbidden', 'The back-office is for managers and group admins.');
  }
  return actor;
}

/** The shops an actor's back-office covers: null for all of them (admins). */
const scopeOf = (actor: StaffActor): number | null => (actor.role === 'admin' ? null : actor.shopId);

const sameJson = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/**
 * The back-office (issue 7): shops, the group menu (products, recipes, steps), ingredients and
 * their per-shop thresholds, staff accounts, couriers. Every change is checked against who is
 * asking, made in one transaction with its audit row (who, when, the entity before and after),
 * and — when screens show what changed — with its outbox event.
 */
export function createBackOfficeService(deps: {
  db: DatabasePool;
  clock: Clock;
  onCommitted?: () => void;
  outbox?: OutboxOptions;
}) {
  const { db, clock } = deps;

  async function transact<T>(fn: (tx: DatabaseTransactionConnection) => Promise<T>): Promise<T> {
    const result = await db.transaction(fn);
    deps.onCommitted?.();
    return result;
  }

  const audit = (
    tx: DatabaseTransactionConnection,
    actor: StaffActor,
    entry: {
      action: string;
      entity: AuditEntity;
      entityId: string | number;
      shopId: number | null;
      before: object | null;
      after: object | null;
    },
  ) =>
    repo.appendAudit(tx, {
      ...entry,
      at: clock.now(),
      staffId: actor.staffId,
      entityId: String(entry.entityId),
      before: entry.before as Record<string, unknown> | null,
      after: entry.after as Record<string, unknown> | null,
    });

  /** The group menu changed: every shop's kitchen boards and menu pages get the products as they are. */
  async function menuChanged(
    tx: DatabaseTransactionConnection,
    productIds: readonly number[],
  ): Promise<void> {
    if (productIds.length === 0) return;
    const products = await repo.findProducts(tx, productIds);
    for (const shopId of await repo.allShopIds(tx)) {
      await appendEvent(tx, { type: 'menu.changed', shopId, data: { products } }, deps.outbox);
    }
  }

  async function checkRecipeIngredients(recipe: readonly { ingredientId: number }[] | undefined) {
    if (!recipe) return;
    const unknown = new Set(
      await repo.unknownIngredients(
        db,
        recipe.map((l) => l.ingredientId),
      ),
    );
    const issues = recipe.flatMap((l, i) =>
      unknown.has(l.ingredientId)
        ? [{ path: `recipe.${i}.ingredientId`, message: `there is no ingredient ${l.ingredientId}` }]
        : [],
    );
    if (issues.length > 0) throw invalid(issues);
  }

  function mayManageShop(actor: StaffActor, shopId: number): void {
    if (!isManagerOf(actor, shopId)) {
      throw appError('auth/forbidden', 'You manage another shop: this one is not yours to change.');
    }
  }

  // -------------------------------------------------------------------------------------------
  // Staff rules

  /** May this actor change this existing account at all (before looking at what changes)? */
  function mayTouchStaff(actor: StaffActor, target: AdminStaff): void {
    if (actor.role === 'admin' || target.id === actor.staffId) return;
    if (target.shopId !== actor.shopId || !(TEAM_ROLES as readonly string[]).includes(target.role)) {
      throw appError(
        'auth/forbidden',
        "A manager changes their own shop's kitchen, counter and courier accounts only.",
      );
    }
  }

  function mayGrant(actor: StaffActor, role: AdminStaff['role'], shopId: number | null): void {
    if (actor.role === 'admin') return;
    if (!(TEAM_ROLES as readonly string[]).includes(role)) {
      throw appError('auth/forbidden', 'Only a group admin creates manager and admin accounts.');
    }
    if (shopId !== actor.shopId) {
      throw appError('auth/forbidden', "A manager adds people to their own shop's team only.");
    }
  }

  const staffForAudit = (s: AdminStaff) => {
    const { createdAt: _c, ...rest } = s;
    return rest;
  };

  return {
    // -----------------------------------------------------------------------------------------
    // Shops

    async shops(actor: StaffActor): Promise<AdminShop[]> {
      const scope = scopeOf(actor);
      return repo.listShops(db, scope === null ? null : [scope]);
    },

    async updateShop(shopId: number, body: UpdateShopBody, actor: StaffActor): Promise<AdminShop> {
      mayManageShop(actor, shopId);
      if (actor.role !== 'admin') {
        const adminOnly = SHOP_ADMIN_FIELDS.filter((f) => body[f] !== undefined);
        if (adminOnly.length > 0) {
          throw appError(
            'auth/forbidden',
            `Only a group admin changes a shop's ${adminOnly.join(', ')}; a manager changes its hours, zone, phone and kitchen timings.`,
          );
        }
      }
      const saved = await transact(async (tx) => {
        const before = await repo.findShop(tx, shopId, true);
        if (!before) throw appError('shop/not_found', `There is no shop ${shopId}.`);
        const after: AdminShop = { ...before, ...body } as AdminShop;
        // An open shop keeps its opening date: it is when it opened.
        if (after.status === 'opening' && !after.opensOn) {
          throw invalid([{ path: 'opensOn', message: 'a shop not open yet needs its opening date' }]);
        }
        if (sameJson(before, after)) return before;
        await repo.updateShop(tx, after);
        const stored = (await repo.findShop(tx, shopId))!;
        await audit(tx, actor, {
          action: 'shop.update',
          entity: 'shop',
          entityId: shopId,
          shopId,
          before,
          after: stored,
        });
        return stored;
      });
      return saved;
    },

    /**
     * A closure of the shop (issue 12). Refused when it is over already (by the hub's clock, in
     * Paris) or shares a day with another: two closures of one day would be two answers to "why".
     */
    async addClosure(shopId: number, body: CreateClosureBody, actor: StaffActor): Promise<ShopClosure> {
      mayManageShop(actor, shopId);
      const today = parisDate(clock.now());
      if (body.endsOn < today) {
        throw invalid([{ path: 'endsOn', message: `the closure is over already (today is ${today})` }]);
      }
      return transact(async (tx) => {
        // The shop's row lock queues two closures added at once, so the overlap check holds.
        const shop = await repo.findShop(tx, shopId, true);
        if (!shop) throw appError('shop/not_found', `There is no shop ${shopId}.`);
        const clash = await repo.overlappingClosures(tx, shopId, body.startsOn, body.endsOn);
        if (clash.length > 0) {
          const c = clash[0]!;
          throw invalid([
            { path: 'startsOn', message: `the shop is already closed from ${c.startsOn} to ${c.endsOn}` },
          ]);
        }
        const closure = await repo.insertClosure(tx, shopId, body);
        await audit(tx, actor, {
          action: 'shop.closure_add',
          entity: 'shop',
          entityId: shopId,
          shopId,
          before: null,
          after: closure,
        });
        return closure;
      });
    },

    /** A closure's days or reason changed, by the same rules as a new one. */
    async updateClosure(
      shopId: number,
      closureId: number,
      body: UpdateClosureBody,
      actor: StaffActor,
    ): Promise<ShopClosure> {
      mayManageShop(actor, shopId);
      const today = parisDate(clock.now());
      return transact(async (tx) => {
        const shop = await repo.findShop(tx, shopId, true);
        if (!shop) throw appError('shop/not_found', `There is no shop ${shopId}.`);
        const before = await repo.lockClosure(tx, shopId, closureId);
        if (!before) throw appError('closure/not_found', `Shop ${shopId} has no closure ${closureId}.`);
        const after: ShopClosure = { ...before, ...body };
        const problem = closureDaysProblem(after.startsOn, after.endsOn);
        if (problem) throw invalid([{ path: 'endsOn', message: problem }]);
        if (after.endsOn < today) {
          throw invalid([
            { path: 'endsOn', message: `the closure would be over already (today is ${today})` },
          ]);
        }
        const clash = (await repo.overlappingClosures(tx, shopId, after.startsOn, after.endsOn)).filter(
          (c) => c.id !== closureId,
        );
        if (clash.length > 0) {
          throw invalid([
            {
              path: 'startsOn',
              message: `the shop is already closed from ${clash[0]!.startsOn} to ${clash[0]!.endsOn}`,
            },
          ]);
        }
        if (sameJson(before, after)) return before;
        await repo.updateClosure(tx, after);
        await audit(tx, actor, {
          action: 'shop.closure_update',
          entity: 'shop',
          entityId: shopId,
          shopId,
          before,
          after,
        });
        return after;
      });
    },

    async removeClosure(shopId: number, closureId: number, actor: StaffActor): Promise<void> {
      mayManageShop(actor, shopId);
      await transact(async (tx) => {
        const removed = await repo.deleteClosure(tx, shopId, closureId);
        if (!removed) throw appError('closure/not_found', `Shop ${shopId} has no closure ${closureId}.`);
        await audit(tx, actor, {
          action: 'shop.closure_remove',
          entity: 'shop',
          entityId: shopId,
          shopId,
          before: removed,
          after: null,
        });
      });
    },

    // -----------------------------------------------------------------------------------------
    // Menu: the group's products. Managers of any shop may change it (decisions.md).

    products: (_actor: StaffActor): Promise<AdminProduct[]> => repo.listProducts(db),

    async createProduct(body: CreateProductBody, actor: StaffActor): Promise<AdminProduct> {
      await checkRecipeIngredients(body.recipe);
      if (await repo.productSlugTaken(db, body.slug)) {
        throw appError('product/slug_taken', `A product already has the slug ${body.slug}.`);
      }
      try {
        return await transact(async (tx) => {
          const { recipe, ...fields } = body;
          const id = await repo.insertProduct(tx, {
            ...fields,
            mayContain: inRegulationOrder(fields.mayContain),
          });
          await repo.replaceRecipe(tx, id, recipe);
          const after = (await repo.findProduct(tx, id))!;
          await audit(tx, actor, {
            action: 'product.create',
            entity: 'product',
            entityId: id,
            shopId: null,
            before: null,
            after,
          });
          await menuChanged(tx, [id]);
          return after;
        });
      } catch (error) {
        if (pgErrorCode(error) === '23505') {
          throw appError('product/slug_taken', `A product already has the slug ${body.slug}.`);
        }
        throw error;
      }
    },

    async updateProduct(
      productId: number,
      body: UpdateProductBody,
      actor: StaffActor,
    ): Promise<AdminProduct> {
      await checkRecipeIngredients(body.recipe);
      return transact(async (tx) => {
        const before = await repo.findProduct(tx, productId, true);
        if (!before) throw appError('product/not_found', `There is no product ${productId}.`);
        const { recipe, ...fields } = body;
        await repo.updateProduct(tx, productId, {
          name: fields.name ?? before.name,
          description: fields.description ?? before.description,
          priceCents: fields.priceCents ?? before.priceCents,
          vatRateBp: fields.vatRateBp ?? before.vatRateBp,
          active: fields.active ?? before.active,
          position: fields.position ?? before.position,
          prepMinutes: fields.prepMinutes ?? before.prepMinutes,
          bakeMinutes: fields.bakeMinutes ?? before.bakeMinutes,
          steps: fields.steps ?? before.steps,
          // Absent: the stored traces stay as they are (the product shows only those its recipe lacks).
          mayContain: fields.mayContain ? inRegulationOrder(fields.mayContain) : null,
        });
        if (recipe) await repo.replaceRecipe(tx, productId, recipe);
        const after = (await repo.findProduct(tx, productId))!;
        // Saving a form unchanged is not a change: no audit row, no event.
        if (sameJson(before, after)) return after;
        await audit(tx, actor, {
          action: 'product.update',
          entity: 'product',
          entityId: productId,
          shopId: null,
          before,
          after,
        });
        await menuChanged(tx, [productId]);
        return after;
      });
    },

    // -----------------------------------------------------------------------------------------
    // Ingredients (group-wide) and their thresholds (per shop)

    async ingredients(actor: StaffActor): Promise<AdminIngredient[]> {
      const scope = scopeOf(actor);
      return repo.listIngredients(db, scope === null ? null : [scope]);
    },

    async createIngredient(input: CreateIngredientBody, actor: StaffActor): Promise<AdminIngredient> {
      const body = { ...input, allergens: inRegulationOrder(input.allergens) };
      if (await repo.ingredientNameTaken(db, body.name)) {
        throw appError('ingredient/name_taken', `An ingredient is already called ${body.name}.`);
      }
      const scope = scopeOf(actor);
      try {
        const id = await transact(async (tx) => {
          const id = await repo.insertIngredient(tx, body, scope === null ? null : [scope]);
          await audit(tx, actor, {
            action: 'ingredient.create',
            entity: 'ingredient',
            entityId: id,
            shopId: null,
            before: null,
            after: { id, ...body },
          });
          return id;
        });
        const all = await repo.listIngredients(db, scope === null ? null : [scope]);
        return all.find((i) => i.id === id)!;
      } catch (error) {
        if (pgErrorCode(error) === '23505') {
          throw appError('ingredient/name_taken', `An ingredient is already called ${body.name}.`);
        }
        throw error;
      }
    },

    async updateIngredient(
      ingredientId: number,
      body: UpdateIngredientBody,
      actor: StaffActor,
    ): Promise<AdminIngredient> {
      if (body.name !== undefined && (await repo.ingredientNameTaken(db, body.name, ingredientId))) {
        throw appError('ingredient/name_taken', `An ingredient is already called ${body.name}.`);
      }
      const scope = scopeOf(actor);
      try {
        await transact(async (tx) => {
          const before = await repo.findIngredient(tx, ingredientId, true);
          if (!before) throw appError('ingredient/not_found', `There is no ingredient ${ingredientId}.`);
          const after = {
            ...before,
            name: body.name ?? before.name,
            allergens: body.allergens ? inRegulationOrder(body.allergens) : before.allergens,
          };
          if (sameJson(before, after)) return;
          await repo.updateIngredient(tx, after);
          await audit(tx, actor, {
            action: 'ingredient.update',
            entity: 'ingredient',
            entityId: ingredientId,
            shopId: null,
            before,
            after,
          });
          // Recipe cards name their ingredients, and menus show the allergens they bring.
          await menuChanged(tx, await repo.productIdsUsing(tx, ingredientId));
        });
      } catch (error) {
        if (pgErrorCode(error) === '23505') {
          throw appError('ingredient/name_taken', `An ingredient is already called ${body.name}.`);
        }
        throw error;
      }
      const all = await repo.listIngredients(db, scope === null ? null : [scope]);
      return all.find((i) => i.id === ingredientId)!;
    },

    async updateThreshold(
      shopId: number,
      ingredientId: number,
      body: UpdateThresholdBody,
      actor: StaffActor,
    ): Promise<AdminIngredient> {
      mayManageShop(actor, shopId);
      await transact(async (tx) => {
        const before = await repo.lockThreshold(tx, shopId, ingredientId);
        if (!before) {
          throw appError('stock/not_found', `Shop ${shopId} does not stock ingredient ${ingredientId}.`);
        }
        if (before.lowThreshold === body.lowThreshold) return;
        await repo.updateThreshold(tx, shopId, ingredientId, body.lowThreshold);
        await audit(tx, actor, {
          action: 'stock.threshold_update',
          entity: 'stock',
          entityId: `${shopId}:${ingredientId}`,
          shopId,
          before,
          after: { ...before, lowThreshold: body.lowThreshold },
        });
      });
      const scope = scopeOf(actor);
      const all = await repo.listIngredients(db, scope === null ? null : [scope]);
      return all.find((i) => i.id === ingredientId)!;
    },

    // -----------------------------------------------------------------------------------------
    // Staff accounts

    staff: (actor: StaffActor): Promise<AdminStaff[]> => repo.listStaff(db, scopeOf(actor)),

    async createStaff(body: CreateStaffBody, actor: StaffActor): Promise<AdminStaff> {
      mayGrant(actor, body.role, body.shopId);
      if (body.shopId !== null && !(await repo.findShop(db, body.shopId))) {
        throw invalid([{ path: 'shopId', message: `there is no shop ${body.shopId}` }]);
      }
      const email = body.email.toLowerCase();
      if (await repo.staffEmailTaken(db, email)) {
        throw appError('auth/email_taken', `A staff account already uses ${email}.`);
      }
      const passwordHash = await hashPassword(body.password);
      try {
        return await transact(async (tx) => {
          const id = await repo.insertStaff(tx, { ...body, email, passwordHash });
          if (body.role === 'courier') {
            await repo.insertCourier(tx, id, body.shopId!, body.vehicle ?? 'scooter');
          }
          const after = (await repo.findStaff(tx, id))!;
          await audit(tx, actor, {
            action: 'staff.create',
            entity: 'staff',
            entityId: id,
            shopId: after.shopId,
            before: null,
            after: staffForAudit(after),
          });
          return after;
        });
      } catch (error) {
        if (pgErrorCode(error) === '23505') {
          throw appError('auth/email_taken', `A staff account already uses ${email}.`);
        }
        throw error;
      }
    },

    async updateStaff(staffId: string, body: UpdateStaffBody, actor: StaffActor): Promise<AdminStaff> {
      const self = staffId === actor.staffId;
      if (self && (body.role !== undefined || body.shopId !== undefined || body.active === false)) {
        throw appError(
          'staff/change_refused',
          'You cannot change your own role or shop, nor deactivate yourself: ask a group admin.',
        );
      }
      const email = body.email?.toLowerCase();
      if (email && (await repo.staffEmailTaken(db, email, staffId))) {
        throw appError('auth/email_taken', `A staff account already uses ${email}.`);
      }
      const passwordHash = body.password ? await hashPassword(body.password) : null;
      try {
        return await transact(async (tx) => {
          const before = await repo.findStaff(tx, staffId, true);
          if (!before) throw appError('staff/not_found', `There is no staff account ${staffId}.`);
          mayTouchStaff(actor, before);
          const role = body.role ?? before.role;
          // Becoming an admin leaves the shop; leaving the admins needs a shop.
          const shopId = body.shopId !== undefined ? body.shopId : role === 'admin' ? null : before.shopId;
          if (role === 'admin' && shopId !== null) {
            throw invalid([{ path: 'shopId', message: 'an admin belongs to no shop' }]);
          }
          if (role !== 'admin' && shopId === null) {
            throw invalid([{ path: 'shopId', message: 'choose the shop this person works at' }]);
          }
          if (role !== before.role || shopId !== before.shopId) mayGrant(actor, role, shopId);
          if (shopId !== null && shopId !== before.shopId && !(await repo.findShop(tx, shopId))) {
            throw invalid([{ path: 'shopId', message: `there is no shop ${shopId}` }]);
          }
          if ((role === 'courier') !== (before.role === 'courier')) {
            throw appError(
              'staff/change_refused',
              'A courier account stays a courier account (its deliveries are recorded under it): deactivate it and create a new account instead.',
            );
          }
          const after: AdminStaff = {
            ...before,
            name: body.name ?? before.name,
            email: email ?? before.email,
            role,
            shopId,
            active: body.active ?? before.active,
          };
          const leaving = before.role === 'courier' && (shopId !== before.shopId || !after.active);
          if (leaving && (await repo.courierOrdersInProgress(tx, staffId)) > 0) {
            throw appError(
              'staff/change_refused',
              'This courier has deliveries in progress or on offer: reassign them first.',
            );
          }
          if (sameJson(before, after) && !passwordHash) return before;
          await repo.updateStaff(tx, after, passwordHash);
          if (before.role === 'courier') {
            const courier = (await repo.findCourier(tx, staffId, true))!;
            await repo.updateCourier(tx, {
              ...courier,
              shopId: shopId!,
              onShift: after.active ? courier.onShift : false,
            });
          }
          // A deactivated account or a new password ends the sessions open with the old one.
          if ((!after.active && before.active) || passwordHash) await repo.endSessions(tx, staffId);
          await audit(tx, actor, {
            action: 'staff.update',
            entity: 'staff',
            entityId: staffId,
            shopId: after.shopId ?? before.shopId,
            before: staffForAudit(before),
            // Never the password, only that it changed.
            after: { ...staffForAudit(after), ...(passwordHash ? { passwordChanged: true } : {}) },
          });
          return after;
        });
      } catch (error) {
        if (pgErrorCode(error) === '23505') {
          throw appError('auth/email_taken', `A staff account already uses ${email}.`);
        }
        throw error;
      }
    },

    // -----------------------------------------------------------------------------------------
    // Couriers

    couriers: (actor: StaffActor): Promise<AdminCourier[]> => repo.listCouriers(db, scopeOf(actor)),

    async updateCourier(staffId: string, body: UpdateCourierBody, actor: StaffActor): Promise<AdminCourier> {
      return transact(async (tx) => {
        const before = await repo.findCourier(tx, staffId, true);
        if (!before) throw appError('courier/not_found', `There is no courier ${staffId}.`);
        mayManageShop(actor, before.shopId);
        if (body.onShift && !before.active) {
          throw appError('staff/change_refused', 'This account is deactivated: it cannot go on shift.');
        }
        const after: AdminCourier = { ...before, ...body };
        if (sameJson(before, after)) return before;
        await repo.updateCourier(tx, after);
        await audit(tx, actor, {
          action: 'courier.update',
          entity: 'courier',
          entityId: staffId,
          shopId: before.shopId,
          before,
          after,
        });
        return after;
      });
    },

    // -----------------------------------------------------------------------------------------
    // Audit trail

    async audit(query: AuditQuery, actor: StaffActor): Promise<AuditPage> {
      const entries = await repo.listAudit(db, { ...query, scope: scopeOf(actor) });
      const last = entries.at(-1);
      return { entries, next: entries.length === query.limit && last ? last.id : null };
    },
  };
}
