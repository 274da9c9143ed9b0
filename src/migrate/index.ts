export { runMigrate, MigrateExit, type MigrateIo } from './run-migrate.js';
