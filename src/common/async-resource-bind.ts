import { AsyncResource } from 'node:async_hooks';

/** On the installed bind: Node's own, so that a second copy of this module (a test runner's) still finds it. */
const NATIVE = Symbol.for('tally.nativeAsyncResourceBind');
type Bind = typeof AsyncResource.prototype.bind;
const installed = AsyncResource.prototype.bind as Bind & { [NATIVE]?: Bind };
const nativeBind: Bind = installed[NATIVE] ?? installed;

/**
 * True when this Node's own AsyncResource#bind defines the deprecated
 * `asyncResource` accessor (DEP0172) on every bound function, as Node 20
 * does. Only then is the lean bind below worth installing; the spec fails
 * once a Node without the accessor runs it, saying this file can go.
 */
export function nativeBindDefinesAccessor(): boolean {
  const bound = nativeBind.call(new AsyncResource('probe'), () => undefined);
  return Object.getOwnPropertyDescriptor(bound, 'asyncResource') !== undefined;
}

/**
 * AsyncResource#bind minus that accessor. Its two getter/setter functions are
 * new on each call, so each bound function gets hidden classes of its own,
 * allocated straight in the old space. Fastify binds once for every request
 * body and Nest once per interceptor, which made it the main source of
 * Tally's full garbage collections: a bare Fastify POST route left 3 KB per
 * request in the old space and ran 24 full collections in 5 s at 13,100
 * requests/s; with this bind, none at 26,200/s. Nothing in Tally or its
 * dependencies reads `bound.asyncResource`.
 */
function bind<F extends (...args: never[]) => unknown>(this: AsyncResource, fn: F, thisArg?: unknown): F {
  if (typeof fn !== 'function') throw new TypeError('The "fn" argument must be of type function');
  const run = (receiver: unknown, args: unknown[]) =>
    this.runInAsyncScope(fn as unknown as (...args: unknown[]) => unknown, receiver, ...args);
  const bound =
    thisArg === undefined
      ? function (this: unknown, ...args: unknown[]) {
          return run(this, args);
        }
      : (...args: unknown[]) => run(thisArg, args);
  Object.defineProperty(bound, 'length', { configurable: true, enumerable: false, value: fn.length, writable: false });
  return bound as unknown as F;
}

/**
 * Installs the bind above on a Node that has the accessor's cost; elsewhere
 * Node's own stays. createApp calls it first thing; calling it again changes
 * nothing. Listed in docs/PERFORMANCE.md.
 */
export function installLeanAsyncResourceBind(): boolean {
  if (!nativeBindDefinesAccessor()) return false;
  Object.defineProperty(bind, NATIVE, { value: nativeBind, configurable: true });
  AsyncResource.prototype.bind = bind as Bind;
  return true;
}
