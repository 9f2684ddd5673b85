import type { Viewer } from './rules';

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      /** The logged-in user with their reach, set by the session middleware. */
      user?: Viewer;
      /** CSRF token the forms of this request must carry back. */
      csrfToken?: string;
      sessionIdHash?: string;
    }
  }
}

export {};
