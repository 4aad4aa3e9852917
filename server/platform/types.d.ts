import type { Lang, Translate } from './i18n';
import type { CurrentUser } from '../auth/current-user';

declare module 'express-session' {
  interface SessionData {
    userId: number;
    lang: Lang;
    csrfToken: string;
    /** A one-line notice shown once on the next page (post/redirect/get). */
    flash: { key: import('./i18n').MessageKey; params?: Record<string, string | number> };
  }
}

declare global {
  namespace Express {
    interface Request {
      lang: Lang;
      t: Translate;
      user: CurrentUser | undefined;
    }
  }
}

export {};
