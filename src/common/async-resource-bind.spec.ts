import { AsyncLocalStorage, AsyncResource } from 'node:async_hooks';
import { installLeanAsyncResourceBind, nativeBindDefinesAccessor } from './async-resource-bind';

describe('installLeanAsyncResourceBind', () => {
  it(`is still needed on Node ${process.versions.node}: its own bind defines the deprecated accessor (when this fails, delete async-resource-bind.ts)`, () => {
    expect(nativeBindDefinesAccessor()).toBe(true);
  });

  it('installs only where it is needed', () => {
    expect(installLeanAsyncResourceBind()).toBe(nativeBindDefinesAccessor());
  });

  it('bound functions run in the async context they were bound in, with their this, arguments, result and length', () => {
    const storage = new AsyncLocalStorage<string>();
    const seen: unknown[] = [];
    function probe(this: unknown, a: number, b: number) {
      seen.push(storage.getStore(), this, a + b);
      return 'result';
    }
    const resource = storage.run('request 1', () => new AsyncResource('probe'));
    const bound = resource.bind(probe);
    const target = { name: 'receiver' };
    expect(storage.run('request 2', () => bound.call(target, 2, 3))).toBe('result');
    expect(seen).toEqual(['request 1', target, 5]);
    expect(bound.length).toBe(2);

    const withThis = storage.run('request 3', () => AsyncResource.bind(probe, 'probe', target));
    seen.length = 0;
    withThis(1, 1);
    expect(seen).toEqual(['request 3', target, 2]);
  });

  it('defines no asyncResource accessor (DEP0172), whose per-call getters cost each bound function hidden classes of its own', () => {
    const bound = new AsyncResource('probe').bind(() => undefined);
    expect(Object.getOwnPropertyDescriptor(bound, 'asyncResource')).toBeUndefined();
  });

  it('refuses what is not a function, as Node does', () => {
    expect(() => new AsyncResource('probe').bind(42 as never)).toThrow(/"fn" argument must be of type function/);
  });
});
