import { Router, type RequestHandler } from 'express';
import {
  CustomerMe,
  CustomerOrders,
  LoginBody,
  PhoneLookup,
  PhoneLookupQuery,
  RegisterCustomerBody,
  RegistrationPending,
  VerifyEmailBody,
} from '../contract/index.js';
import { appError } from '../errors.js';
import { apiRoute } from '../http/api-route.js';
import { requireCustomer, requireStaff, startSession } from '../http/session-principal.js';
import { parseInput } from '../http/validate.js';
import type { OrdersService } from '../orders/orders-service.js';
import type { CustomersService } from './customers-service.js';

export function customersRoutes(
  customers: CustomersService,
  orders: OrdersService,
  options: {
    loginLimiter: RequestHandler[];
    registrationLimiter: RequestHandler;
    verifyLimiter: RequestHandler;
  },
): Router {
  const router = Router();

  apiRoute(
    router,
    {
      method: 'post',
      path: '/customers',
      tag: 'Customers',
      summary: 'Sign up for a customer account',
      description:
        'Answers 202 whether or not the e-mail already has an account (the answer must not tell): a new ' +
        'address gets a confirmation link (24 h), a known one a note to its owner. Log in after confirming.',
      access: 'public',
      body: RegisterCustomerBody,
      errors: ['auth/rate_limited'],
      example: {
        body: {
          name: 'Camille Durand',
          email: 'camille@example.fr',
          phone: '06 12 34 56 78',
          password: 'une-longue-phrase',
        },
      },
      response: { status: 202, description: 'Check the mailbox.', schema: RegistrationPending },
    },
    options.registrationLimiter,
    async (req, res) => {
      const body = parseInput(RegisterCustomerBody, req.body);
      await customers.register(body);
      const pending: RegistrationPending = { status: 'check_email', email: body.email };
      res.status(202).json(pending);
    },
  );

  apiRoute(
    router,
    {
      method: 'post',
      path: '/customers/verify',
      tag: 'Customers',
      summary: 'Confirm a new account with the link of its e-mail',
      description:
        'The link works once, for 24 hours; the customer is logged in (sets the `ocp_session` cookie).',
      access: 'public',
      body: VerifyEmailBody,
      errors: ['auth/link_invalid', 'auth/rate_limited'],
      example: { body: { token: 'x'.repeat(43) } },
      response: { status: 200, description: 'Confirmed and logged in.', schema: CustomerMe },
    },
    options.verifyLimiter,
    async (req, res) => {
      const { token } = parseInput(VerifyEmailBody, req.body);
      const customer = await customers.verifyEmail(token);
      await startSession(req, () => {
        req.session.customerId = customer.id;
      });
      const me: CustomerMe = { customer };
      res.json(me);
    },
  );

  apiRoute(
    router,
    {
      method: 'post',
      path: '/customers/login',
      tag: 'Customers',
      summary: 'Log in a customer',
      access: 'public',
      body: LoginBody,
      errors: ['auth/invalid_credentials', 'auth/email_unverified', 'auth/rate_limited'],
      example: { body: { email: 'camille@example.fr', password: 'une-longue-phrase' } },
      response: { status: 200, description: 'Logged in.', schema: CustomerMe },
    },
    ...options.loginLimiter,
    async (req, res) => {
      const { email, password } = parseInput(LoginBody, req.body);
      const customer = await customers.login(email, password);
      if (!customer) throw appError('auth/invalid_credentials', 'Wrong e-mail or password.');
      await startSession(req, () => {
        req.session.customerId = customer.id;
      });
      const me: CustomerMe = { customer };
      res.json(me);
    },
  );

  apiRoute(
    router,
    {
      method: 'get',
      path: '/customers/lookup',
      tag: 'Customers',
      summary: 'Find returning customers by phone (the counter)',
      access: 'staff',
      roles: ['counter', 'manager', 'admin'],
      query: PhoneLookupQuery,
      example: { query: { phone: '06 12 34 56 78' } },
      response: {
        status: 200,
        description: 'Customers of past orders with that phone.',
        schema: PhoneLookup,
      },
    },
    async (req, res) => {
      const actor = requireStaff(req);
      const { phone } = parseInput(PhoneLookupQuery, req.query, 'query');
      const body: PhoneLookup = { customers: await customers.lookupByPhone(phone, actor) };
      res.json(body);
    },
  );

  apiRoute(
    router,
    {
      method: 'get',
      path: '/customers/me',
      tag: 'Customers',
      summary: 'The customer of this session',
      access: 'customer',
      response: { status: 200, description: 'The account.', schema: CustomerMe },
    },
    (req, res) => {
      const me: CustomerMe = { customer: requireCustomer(req) };
      res.json(me);
    },
  );

  apiRoute(
    router,
    {
      method: 'get',
      path: '/customers/me/orders',
      tag: 'Customers',
      summary: 'The logged-in customer’s orders',
      access: 'customer',
      response: { status: 200, description: 'Their orders, newest first.', schema: CustomerOrders },
    },
    async (req, res) => {
      const customer = requireCustomer(req);
      const body: CustomerOrders = { orders: await orders.listForCustomer(customer.id) };
      res.json(body);
    },
  );

  return router;
}
