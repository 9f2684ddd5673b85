import request from 'supertest';
import type { TestApp } from './app';
import { csrfFrom } from './app';
import { hiddenFields } from './resident-client';

export type Phone = ReturnType<typeof request.agent>;

/** A resident's phone: a cookie jar of its own (its ls_resident id arrives with the first form or board it opens). */
export const newPhone = (t: TestApp): Phone => request.agent(t.app);

/** Submits a suggestion through the QR form of a campaign that asks for no photo; returns the receipt code. */
export async function submitFrom(phone: Phone, qrToken: string, text: string, contact: { name?: string; phone?: string } = {}): Promise<string> {
  const page = await phone.get(`/q/${qrToken}`).expect(200);
  const res = await phone.post(`/q/${qrToken}`).type('form')
    .send({ ...hiddenFields(page.text), kind: 'suggestion', text, name: contact.name ?? '', phone: contact.phone ?? '' });
  const m = /\/r\/([A-Z0-9]{8})\?new=1$/.exec(res.headers.location ?? '');
  if (res.status !== 303 || !m) throw new Error(`submit failed: ${res.status} ${res.text.slice(0, 300)}`);
  return m[1];
}

/**
 * The phone's pre-session CSRF token. Opens `path` first (as a resident would: it hands out the ls_resident id), then
 * reads the token from the login form, which always carries it (a board with nothing left to support has no form).
 */
export async function tokenOf(phone: Phone, path: string): Promise<string> {
  await phone.get(path);
  return csrfFrom((await phone.get('/login')).text);
}
