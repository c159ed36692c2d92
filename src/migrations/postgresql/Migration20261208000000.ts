// Every statement of this change is the same on both engines: one migration, listed under each.
export { Migration20261208000000 } from '../sqlite/Migration20261208000000';
