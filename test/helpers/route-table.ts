import type { Express } from 'express';

export interface RouteEntry { method: string; path: string }

interface Layer { route?: { path: string | string[]; methods: Record<string, boolean> }; name?: string; handle?: { stack?: Layer[] } }

/** Every route the app serves, read from Express itself so that a new route cannot be forgotten by a test. */
export function routeTable(app: Express): RouteEntry[] {
  const out: RouteEntry[] = [];
  const walk = (stack: Layer[]) => {
    for (const layer of stack) {
      if (layer.route) {
        const paths = Array.isArray(layer.route.path) ? layer.route.path : [layer.route.path];
        for (const p of paths) for (const m of Object.keys(layer.route.methods)) if (m !== '_all') out.push({ method: m.toUpperCase(), path: p });
      } else if (layer.name === 'router' && layer.handle?.stack) {
        walk(layer.handle.stack);
      }
    }
  };
  walk((app as unknown as { router: { stack: Layer[] } }).router.stack);
  return out;
}

/** A concrete URL for a route pattern: named parameters from `params`, others become '1'; optional groups kept. */
export function concretePath(pattern: string, params: Record<string, string> = {}): string {
  return pattern.replace(/[{}]/g, '').replace(/\*\w+/g, 'x').replace(/:(\w+)/g, (_m, name: string) => params[name] ?? '1');
}
