import crypto from 'node:crypto';
import type { Request, RequestHandler } from 'express';
import type { ApiAccess } from '../auth/guard';
import { reachPath, type CurrentUser, type Role } from '../auth/current-user';
import type { RateLimiter, RateLimitRule } from '../platform/rate-limit';
import type { Dataset, PublicDatasetsRepo } from './datasets';
import { ApiError } from './problem';
import type { Grant } from './service';
import { bearerToken, hashToken, tokenState } from './tokens';
import type { ApiTokensRepo } from './tokens-repo';

/** Which dataset a route reads; 'catalog' for the lists of what there is (surveys, periods). */
export type DatasetOf = (req: Request) => Dataset | 'catalog';

/**
 * Who calls the API and what they may read. The API takes no session and no
 * cookie: a caller is anonymous or holds a personal token (Authorization:
 * Bearer), which carries its owner's current rights (role and unit subtree).
 * Every request counts against a rate limit, per token or per client address.
 */
export class ApiGate {
  private readonly grants = new WeakMap<Request, Grant>();

  constructor(
    private readonly tokens: ApiTokensRepo,
    private readonly currentUser: (userId: number) => Promise<CurrentUser | undefined>,
    private readonly limiter: RateLimiter,
    private readonly publicDatasets: PublicDatasetsRepo,
    private readonly allDatasets: () => Dataset[],
    private readonly rule: RateLimitRule,
    private readonly clock: () => Date,
  ) {}

  private clientKey(req: Request): string {
    return `api:client:${crypto.createHash('sha256').update(req.ip ?? '').digest('hex').slice(0, 32)}`;
  }

  private async count(key: string, now: Date): Promise<void> {
    const state = await this.limiter.check(key, this.rule, now);
    if (state.blocked) throw new ApiError(429, 'api.problem.tooMany', [], { seconds: state.retryAfterSeconds });
    await this.limiter.hit(key, this.rule, now);
  }

  /** Mounted on /api: reads the token (refusing a bad one with 401) and counts the request. */
  readonly authenticate: RequestHandler = async (req, res, next) => {
    const now = this.clock();
    res.set('Cache-Control', 'no-store');
    res.vary('Authorization');
    const given = bearerToken(req.get('authorization'));
    if (given === null) {
      await this.count(this.clientKey(req), now);
      return next();
    }
    const token = given === 'malformed' ? undefined : await this.tokens.findByHash(hashToken(given));
    const owner = token && tokenState(token, now.toISOString()) === 'active' ? await this.currentUser(token.userId) : undefined;
    if (!token || !owner) {
      // Refusals count against the client too, so that guessing is as slow as using.
      await this.count(this.clientKey(req), now);
      throw new ApiError(401, 'api.problem.tokenInvalid');
    }
    await this.count(`api:token:${token.id}`, now);
    await this.tokens.touch(token.id, now.toISOString());
    req.user = owner;
    next();
  };

  /** A route's access: public data for anyone, anything else for a token of one of `roles`. */
  access(roles: readonly Role[], datasetOf: DatasetOf): ApiAccess {
    return {
      api: roles,
      check: async (req, _res, next) => {
        const open = await this.publicDatasets.get();
        const all = this.allDatasets();
        const publicSet = new Set(all.filter((d) => open.has(d)));
        const dataset = datasetOf(req);
        const isPublic = dataset === 'catalog' ? publicSet.size > 0 : publicSet.has(dataset);
        const user = req.user;
        const reach = user && roles.includes(user.role) ? reachPath(user) : null;
        if (reach !== null) {
          // Public data is the same for everyone: a token never narrows it.
          const pub = dataset !== 'catalog' && isPublic;
          this.grants.set(req, { reach: pub ? '/' : reach, datasets: new Set(all), open: publicSet, public: pub });
          return next();
        }
        if (isPublic) {
          this.grants.set(req, { reach: '/', datasets: publicSet, open: publicSet, public: true });
          return next();
        }
        throw user ? new ApiError(403, 'api.problem.forbidden') : new ApiError(401, 'api.problem.tokenRequired');
      },
    };
  }

  /** The grant the route's access check gave this request. */
  grant(req: Request): Grant {
    const g = this.grants.get(req);
    if (!g) throw new ApiError(401, 'api.problem.tokenRequired');
    return g;
  }
}
