import { Router, type RequestHandler } from 'express';
import {
  LoginBody,
  PhoneLookupQuery,
  RegisterCustomerBody,
  type CustomerMe,
  type CustomerOrders,
  type PhoneLookup,
} from '../contract/index.js';
import { appError } from '../errors.js';
import { requireCustomer, requireStaff, startSession } from '../http/session-principal.js';
import { parseInput } from '../http/validate.js';
import type { OrdersService } from '../orders/orders-service.js';
import type { CustomersService } from './customers-service.js';

export function customersRoutes(
  customers: CustomersService,
  orders: OrdersService,
  options: { limiter: RequestHandler },
): Router {
  const router = Router();

  router.post('/customers', async (req, res) => {
    const body = parseInput(RegisterCustomerBody, req.body);
    const customer = await customers.register(body);
    await startSession(req, () => {
      req.session.customerId = customer.id;
    });
    const me: CustomerMe = { customer };
    res.status(201).json(me);
  });

  router.post('/customers/login', options.limiter, async (req, res) => {
    const { email, password } = parseInput(LoginBody, req.body);
    const customer = await customers.login(email, password);
    if (!customer) throw appError('auth/invalid_credentials', 'Wrong e-mail or password.');
    await startSession(req, () => {
      req.session.customerId = customer.id;
    });
    const me: CustomerMe = { customer };
    res.json(me);
  });

  router.get('/customers/lookup', async (req, res) => {
    const actor = requireStaff(req);
    const { phone } = parseInput(PhoneLookupQuery, req.query, 'query');
    const body: PhoneLookup = { customers: await customers.lookupByPhone(phone, actor) };
    res.json(body);
  });

  router.get('/customers/me', (req, res) => {
    const me: CustomerMe = { customer: requireCustomer(req) };
    res.json(me);
  });

  router.get('/customers/me/orders', async (req, res) => {
    const customer = requireCustomer(req);
    const body: CustomerOrders = { orders: await orders.listForCustomer(customer.id) };
    res.json(body);
  });

  return router;
}
