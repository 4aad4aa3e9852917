import type { CurrentUser } from '../auth/current-user';
import { audit } from '../platform/audit';
import type { Db } from '../platform/db';
import { NotFoundError } from '../platform/errors';
import { newToken, tokenState, type TokenState } from './tokens';
import { ApiTokensRepo, type ApiToken } from './tokens-repo';

/** Making, listing and revoking one's own API tokens. */
export class ApiTokensService {
  constructor(
    private readonly db: Db,
    private readonly clock: () => Date,
  ) {}

  async list(user: CurrentUser): Promise<(ApiToken & { state: TokenState })[]> {
    const now = this.clock().toISOString();
    return (await new ApiTokensRepo(this.db).listByUser(user.id)).map((t) => ({ ...t, state: tokenState(t, now) }));
  }

  /** Makes a token; the returned text is the only time it exists outside its owner's hands. */
  async create(user: CurrentUser, name: string, expiresAt: string | null): Promise<{ id: number; token: string }> {
    const made = newToken();
    const now = this.clock().toISOString();
    return this.db.transaction(async (trx) => {
      const id = await new ApiTokensRepo(trx).insert({ userId: user.id, name, hash: made.hash, hint: made.hint, createdAt: now, expiresAt });
      await audit(trx, { actorId: user.id, action: 'api-token.create', subject: `api_token:${id}`, detail: { name, expiresAt }, at: now });
      return { id, token: made.token };
    });
  }

  async revoke(user: CurrentUser, id: number): Promise<void> {
    const now = this.clock().toISOString();
    await this.db.transaction(async (trx) => {
      if (!(await new ApiTokensRepo(trx).revoke(id, user.id, now))) throw new NotFoundError();
      await audit(trx, { actorId: user.id, action: 'api-token.revoke', subject: `api_token:${id}`, at: now });
    });
  }
}
