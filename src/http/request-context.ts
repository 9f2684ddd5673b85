import type { User } from '../auth/roles';

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      /** The logged-in user, set by the session middleware. */
      user?: User;
      /** CSRF token the forms of this request must carry back. */
      csrfToken?: string;
      sessionIdHash?: string;
    }
  }
}

export {};
