/**
 * A resident's phone, over real HTTP: opens the QR form, fills it, submits, and reads the receipt code from
 * the redirect. Used by the crash test and the submit benchmark.
 */
export function hiddenFields(html: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of html.matchAll(/<input\b[^>]*>/g)) {
    const tag = m[0];
    if (!/type="hidden"/.test(tag)) continue;
    const name = /name="([^"]+)"/.exec(tag)?.[1];
    const value = /value="([^"]*)"/.exec(tag)?.[1];
    if (name && value !== undefined) out[name] = value.replace(/&amp;/g, '&').replace(/&#34;|&quot;/g, '"');
  }
  return out;
}

const FORM_BOUNDARY = '----linshengbench7MA4YWxkTrZu0gW';

/**
 * The resident form as a phone's browser posts it (the form is multipart) with no photo chosen: the file input
 * still comes, as an empty part. For load generators, which build it by hand to spend little CPU on it.
 */
export function browserFormBody(fields: Record<string, string>): { body: string; contentType: string } {
  let body = '';
  for (const [k, v] of Object.entries(fields)) {
    body += `--${FORM_BOUNDARY}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`;
  }
  body += `--${FORM_BOUNDARY}\r\nContent-Disposition: form-data; name="photo"; filename=""\r\nContent-Type: application/octet-stream\r\n\r\n\r\n`;
  return { body: body + `--${FORM_BOUNDARY}--\r\n`, contentType: `multipart/form-data; boundary=${FORM_BOUNDARY}` };
}

export interface SubmitResult { status: number; receiptCode?: string }

export async function submitOnce(baseUrl: string, token: string, text: string, fetchImpl = fetch): Promise<SubmitResult> {
  const page = await fetchImpl(`${baseUrl}/q/${token}`);
  const html = await page.text();
  if (page.status !== 200) return { status: page.status };
  const form = new FormData();
  for (const [k, v] of Object.entries(hiddenFields(html))) form.set(k, v);
  form.set('kind', 'suggestion');
  form.set('text', text);
  form.set('building', '3号楼2单元');
  const res = await fetchImpl(`${baseUrl}/q/${token}`, { method: 'POST', body: form, redirect: 'manual' });
  await res.arrayBuffer();
  const location = res.headers.get('location') ?? '';
  const m = /\/r\/([A-Z0-9]+)/.exec(location);
  return { status: res.status, receiptCode: m?.[1] };
}
