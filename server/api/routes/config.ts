// Daptin's configuration endpoint, for its IMAP recipe:
// POST /_config/backend/<key> with a text/plain value, GET to read one.
// Heron is configured by HERON_* environment variables and always serves IMAP,
// so a POST succeeds when it asks for what is already in effect and otherwise
// answers 422 naming the variable to set; nothing is stored.
import type { Context } from 'koa';
import { requireAdmin } from '../auth.ts';
import { readText } from '../body.ts';
import { HttpError } from '../errors.ts';
import type { DocumentedRoutes } from '../openapi/registry.ts';

export interface EffectiveConfig {
  hostname: string;
  bind: string;
  imapPort: number;
}

interface Setting {
  value: (c: EffectiveConfig) => string;
  matches: (c: EffectiveConfig, wanted: string) => boolean;
  variable: string;
}

const SETTINGS: Record<string, Setting> = {
  'imap.enabled': { value: () => 'true', matches: (_c, v) => v === 'true', variable: 'none: IMAP is always on' },
  hostname: { value: (c) => c.hostname, matches: (c, v) => v.toLowerCase() === c.hostname, variable: 'HERON_HOSTNAME' },
  'imap.listen_interface': {
    value: (c) => `${c.bind}:${c.imapPort}`,
    // Daptin writes ":1143" for "every interface".
    matches: (c, v) => {
      const at = v.lastIndexOf(':');
      const host = v.slice(0, at);
      return at >= 0 && v.slice(at + 1) === String(c.imapPort) && (host === '' || host === c.bind || host === '0.0.0.0');
    },
    variable: 'HERON_IMAP_PORT and HERON_BIND',
  },
};

function settingOf(ctx: Context): [string, Setting] {
  const key = String((ctx.params as Record<string, string>).key);
  const setting = SETTINGS[key];
  if (!setting) throw new HttpError(404, 'Not Found', `unknown setting ${key}; Heron knows ${Object.keys(SETTINGS).join(', ')}`);
  return [key, setting];
}

export function configRoutes(routes: DocumentedRoutes, config: EffectiveConfig): void {
  routes.add({ method: 'get', path: '/_config/backend/:key', summary: 'Read a Daptin-style setting (imap.enabled, hostname, imap.listen_interface)', tag: 'config', auth: true }, async (ctx) => {
    requireAdmin(ctx);
    const [key, setting] = settingOf(ctx);
    ctx.body = { key, value: setting.value(config) };
  });
  routes.add(
    {
      method: 'post',
      path: '/_config/backend/:key',
      summary: 'Daptin-style setting: succeeds when the value is already in effect (Heron is configured by HERON_* variables)',
      tag: 'config',
      auth: true,
      bodyType: 'json',
      body: { type: 'string', description: 'the value as plain text' },
    },
    async (ctx) => {
      requireAdmin(ctx);
      const [key, setting] = settingOf(ctx);
      const wanted = (await readText(ctx, 4096)).trim().replace(/^"(.*)"$/, '$1');
      if (!setting.matches(config, wanted)) {
        throw new HttpError(422, 'Unprocessable Entity', `${key} is ${setting.value(config)}; Heron takes it from ${setting.variable} at start`);
      }
      ctx.body = { key, value: setting.value(config), note: 'already in effect; no restart needed' };
    },
  );
}
