// SORT and THREAD arguments (RFC 5256 §5, DISPLAYFROM/DISPLAYTO from RFC 5957 §4):
//   sort            = ["UID" SP] "SORT" SP sort-criteria SP search-criteria
//   sort-criteria   = "(" sort-criterion *(SP sort-criterion) ")"
//   sort-criterion  = ["REVERSE" SP] sort-key
//   thread          = ["UID" SP] "THREAD" SP thread-alg SP search-criteria
//   search-criteria = charset 1*(SP search-key)      ; the charset is not optional
import type { SortCriterion, SortKeyName } from '../../schema/index.ts';
import type { Args } from './args.ts';
import { parseCriteria, type SearchKey } from './search-keys.ts';
import { ParseError, type Token } from './tokens.ts';

const SORT_KEYS: Record<string, SortKeyName> = {
  ARRIVAL: 'arrival',
  CC: 'cc',
  DATE: 'date',
  FROM: 'from',
  SIZE: 'size',
  SUBJECT: 'subject',
  TO: 'to',
  DISPLAYFROM: 'displayfrom',
  DISPLAYTO: 'displayto',
};

export type ThreadAlgorithm = 'orderedsubject' | 'references' | 'refs';

const THREAD_ALGORITHMS: Record<string, ThreadAlgorithm> = {
  ORDEREDSUBJECT: 'orderedsubject',
  REFERENCES: 'references',
  REFS: 'refs',
};

export interface SortCommand {
  criteria: SortCriterion[];
  /** Upper case, e.g. "UTF-8"; the command answers NO [BADCHARSET] for one it does not know. */
  charset: string;
  key: SearchKey;
}

export interface ThreadCommand {
  algorithm: ThreadAlgorithm;
  charset: string;
  key: SearchKey;
}

function sortCriteria(list: Token[]): SortCriterion[] {
  if (list.length === 0) throw new ParseError('empty sort criteria');
  const criteria: SortCriterion[] = [];
  for (let i = 0; i < list.length; i++) {
    const name = (t: Token | undefined) => (t?.t === 'atom' ? t.v.toUpperCase() : '');
    let word = name(list[i]);
    const reverse = word === 'REVERSE';
    if (reverse) word = name(list[++i]);
    const key = SORT_KEYS[word];
    if (!key) throw new ParseError(reverse && word === '' ? 'REVERSE needs a sort key' : 'unknown sort key');
    // A key after the same key orders nothing (their ties are ties for it too): kept once.
    if (!criteria.some((c) => c.key === key)) criteria.push({ key, reverse });
  }
  return criteria;
}

/** charset and search criteria: the rest of the arguments. */
function searchCriteria(args: Args): { charset: string; key: SearchKey } {
  const charset = args.astring('charset').toUpperCase();
  const tokens: Token[] = [];
  while (args.more) tokens.push(args.next('search key'));
  return { charset, key: parseCriteria(tokens, charset) };
}

export function parseSort(args: Args): SortCommand {
  const criteria = sortCriteria(args.list('sort criteria'));
  return { criteria, ...searchCriteria(args) };
}

export function parseThread(args: Args): ThreadCommand {
  const algorithm = THREAD_ALGORITHMS[args.atom('thread algorithm').toUpperCase()];
  if (!algorithm) throw new ParseError('unknown thread algorithm');
  return { algorithm, ...searchCriteria(args) };
}
