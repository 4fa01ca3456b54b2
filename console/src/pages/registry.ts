// Collects every page file at build time (Vite's import.meta.glob).
import type { PageDef } from './page.ts';

const modules = import.meta.glob<{ page: PageDef }>('./*.page.tsx', { eager: true });

export const PAGES: readonly PageDef[] = Object.values(modules)
  .map((m) => m.page)
  .sort((a, b) => a.order - b.order);

export const pagesFor = (isAdmin: boolean) => PAGES.filter((p) => isAdmin || !p.admin);
