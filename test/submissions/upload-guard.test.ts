import { EventEmitter } from 'node:events';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Request, Response } from 'express';
import { guardUploads, TOO_MANY_UPLOADS } from '../../src/submissions/photo-multipart';
import { HttpError } from '../../src/http/http-error';

/** Uploads in flight per client are capped, and what an upload left on disk is removed when its response is done. */
describe('guardUploads', () => {
  // A photo upload by default (2 MB); a text-only form is a few kilobytes.
  const fake = (ip: string, bytes = 2_000_000) => {
    const res = new EventEmitter() as unknown as Response;
    const req = { ip, socket: {}, headers: { 'content-length': String(bytes) }, is: (t: string) => t === 'multipart/form-data' && 'multipart/form-data' } as unknown as Request;
    return { req, res };
  };

  it('refuses a client\'s upload beyond the cap with 429, and frees the slot when a response closes', () => {
    const guard = guardUploads(2);
    const started: string[] = [];
    const mw = guard((_req, _res, _next) => { started.push('x'); });
    const a = fake('10.0.0.1'); const b = fake('10.0.0.1'); const c = fake('10.0.0.1'); const other = fake('10.0.0.2');
    const errors: unknown[] = [];
    mw(a.req, a.res, (e?: unknown) => errors.push(e));
    mw(b.req, b.res, (e?: unknown) => errors.push(e));
    mw(c.req, c.res, (e?: unknown) => errors.push(e));
    mw(other.req, other.res, (e?: unknown) => errors.push(e));
    expect(started).toHaveLength(3);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(HttpError);
    expect((errors[0] as HttpError).status).toBe(429);
    expect((errors[0] as HttpError).message).toBe(TOO_MANY_UPLOADS);
    (a.res as unknown as EventEmitter).emit('close');
    const d = fake('10.0.0.1');
    mw(d.req, d.res, (e?: unknown) => errors.push(e));
    expect(started).toHaveLength(4);
    expect(errors).toHaveLength(1);
  });

  it('does not count small bodies (text-only forms of residents behind one carrier address)', () => {
    const guard = guardUploads(1);
    const started: string[] = [];
    const errors: unknown[] = [];
    const mw = guard(() => { started.push('x'); });
    for (let i = 0; i < 5; i++) { const f = fake('10.0.0.9', 3_000); mw(f.req, f.res, (e?: unknown) => errors.push(e)); }
    const photo = fake('10.0.0.9');
    mw(photo.req, photo.res, (e?: unknown) => errors.push(e));
    const second = fake('10.0.0.9');
    mw(second.req, second.res, (e?: unknown) => errors.push(e));
    expect(started).toHaveLength(6);
    expect(errors).toHaveLength(1);
  });

  it('removes the received file when the response closes', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'linsheng-guard-'));
    const file = path.join(dir, 'x.part');
    fs.writeFileSync(file, 'partial');
    const { req, res } = fake('10.0.0.3');
    guardUploads(1)((r) => { (r as unknown as { file: { path: string } }).file = { path: file }; })(req, res, () => undefined);
    (res as unknown as EventEmitter).emit('close');
    // The removal is asynchronous: wait for it (up to 5 s on a busy machine) instead of a fixed 50 ms.
    for (let waited = 0; fs.existsSync(file) && waited < 5000; waited += 20) await new Promise((r) => setTimeout(r, 20));
    expect(fs.existsSync(file)).toBe(false);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
