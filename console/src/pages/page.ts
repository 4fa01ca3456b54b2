// What a page file exports. Every `*.page.tsx` in this folder is picked up by
// the navigation (pages/registry.ts), so a new page (webhooks, API tokens) is
// one new file.
import type { FunctionComponent } from 'preact';

export interface PageDef {
  /** URL path; ":name" segments become props. */
  path: string;
  /** Extra paths served by the same component (detail views). */
  subpaths?: string[];
  /** Link text and document title. */
  title: string;
  /** Position in the navigation. */
  order: number;
  /** Shown only to administrators (the API refuses the calls to others anyway). */
  admin: boolean;
  /** The page a signed-in user of this kind lands on at "/". */
  home?: 'admin' | 'user';
  component: FunctionComponent<PageProps>;
}

/** Route parameters a page may receive (the ":name" segments of its subpaths). */
export interface PageProps {
  id?: string;
  domain?: string;
}
