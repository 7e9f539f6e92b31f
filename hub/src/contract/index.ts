export * from './enums.js';
export * from './errors.js';
export * from './shops.js';
export * from './orders.js';
export * from './auth.js';
export * from './stock.js';
export * from './events.js';
