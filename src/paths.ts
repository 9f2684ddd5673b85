import fs from 'node:fs';
import path from 'node:path';

/** The project root, found from this file whether it runs from src/ (tests) or dist/src/ (npm start). */
function findRoot(start: string): string {
  let dir = start;
  while (!fs.existsSync(path.join(dir, 'package.json'))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error('package.json not found above ' + start);
    dir = parent;
  }
  return dir;
}

export const PROJECT_ROOT = findRoot(__dirname);
export const VIEWS_DIR = path.join(PROJECT_ROOT, 'views');
export const PUBLIC_DIR = path.join(PROJECT_ROOT, 'public');
export const MIGRATIONS_DIR = path.join(PROJECT_ROOT, 'src', 'db', 'migrations');
