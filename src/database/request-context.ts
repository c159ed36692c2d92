import { EntityManager, RequestContext } from '@mikro-orm/core';

/**
 * A request's EntityManager fork, made the first time the request asks for
 * it. Most creates never do: their writes run inside the write batch's
 * transaction and the token is usually cached, so an eager fork per request
 * (an EntityManager, its unit of work and identity map, about 10 KB) was
 * allocated only to be dropped.
 */
class ForkOnFirstUse extends Map<string, EntityManager> {
  /** fork() itself asks for the current context; it must see none, as with an eager fork. */
  private forking = false;

  constructor(private readonly root: EntityManager) {
    super();
  }

  override get(name: string): EntityManager | undefined {
    let fork = super.get(name);
    if (!fork && name === this.root.name && !this.forking) {
      this.forking = true;
      try {
        fork = this.root.fork({ useContext: true });
      } finally {
        this.forking = false;
      }
      super.set(name, fork);
    }
    return fork;
  }
}

/**
 * RequestContext.create(em, next) with the fork made on first use. MikroORM
 * reads the context's forks only through map.get (RequestContext.em and
 * getEntityManager), which is what makes the lazy map safe; its storage is
 * private in the typings, hence the bracket access.
 */
export function runInRequestContext(root: EntityManager, next: () => void): void {
  RequestContext['storage'].run(new RequestContext(new ForkOnFirstUse(root)), next);
}
