import path from 'node:path';

/** The checkout's root, whatever the working directory: the hub lives in <root>/hub/src. */
export const ROOT_DIR = path.resolve(import.meta.dirname, '..', '..');
export const MIGRATIONS_DIR = path.join(ROOT_DIR, 'sql', 'migrations');
export const DEMO_SEED_FILE = path.join(ROOT_DIR, 'sql', 'seed', 'demo.json');
