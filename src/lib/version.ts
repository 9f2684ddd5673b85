import fs from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT } from '../paths';

/** The version in package.json, as /healthz and /readyz report it. */
export const APP_VERSION: string = (JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, 'package.json'), 'utf8')) as { version: string }).version;
