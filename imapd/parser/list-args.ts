// LIST's arguments, basic (RFC 3501 §6.3.8) and extended (RFC 5258 §3, §6):
//   LIST [SP "(" selection-options ")"] SP reference SP (pattern / "(" pattern *(SP pattern) ")")
//        [SP "RETURN" SP "(" return-options ")"]
// with SPECIAL-USE (RFC 6154 §6) and STATUS (RFC 5819 §2). Pure grammar: the
// STATUS items come back as tokens for the STATUS command's own item parser.
// METADATA (RFC 9590 §3) comes back as validated entry names.
import { Args } from './args.ts';
import { entryNames } from './metadata-args.ts';
import { ParseError, type Token } from './tokens.ts';

export interface ListSelection {
  subscribed: boolean;
  remote: boolean;
  recursiveMatch: boolean;
  specialUse: boolean;
}

export interface ListReturn {
  subscribed: boolean;
  children: boolean;
  specialUse: boolean;
  /** RFC 5819: the STATUS items asked for, or null when STATUS was not. */
  status: Token[] | null;
  /** RFC 9590: the METADATA entries asked for (lower-case), or null when METADATA was not. */
  metadata: string[] | null;
}

export interface ListArgs {
  /**
   * RFC 5258 §3: selection options, return options or a list of patterns make
   * an extended LIST; "" then is no request for the delimiter, and names that
   * do not exist are \NonExistent rather than \Noselect.
   */
  extended: boolean;
  select: ListSelection;
  returns: ListReturn;
  /** null: not valid modified UTF-7 (nothing matches). */
  reference: string | null;
  patterns: Array<string | null>;
}

/** Each pattern is matched against every mailbox name: a bound on the work one LIST asks for. */
export const MAX_PATTERNS = 16;

const SELECTION = new Set(['SUBSCRIBED', 'REMOTE', 'RECURSIVEMATCH', 'SPECIAL-USE']);
const RETURN = new Set(['SUBSCRIBED', 'CHILDREN', 'SPECIAL-USE', 'STATUS', 'METADATA']);

function optionName(tok: Token | undefined, known: Set<string>, what: string): string {
  const name = tok?.t === 'atom' ? tok.v.toUpperCase() : '';
  // RFC 5258 §3: an option the server does not recognise is a BAD.
  if (!known.has(name)) throw new ParseError(`unknown LIST ${what} option`);
  return name;
}

export function parseListArgs(args: Args): ListArgs {
  const select: ListSelection = { subscribed: false, remote: false, recursiveMatch: false, specialUse: false };
  const returns: ListReturn = { subscribed: false, children: false, specialUse: false, status: null, metadata: null };
  let extended = false;

  if (args.peek()?.t === 'list') {
    const options = args.list('selection options');
    // RFC 5258 §3: "LIST () ..." with nothing else is a basic LIST.
    if (options.length > 0) extended = true;
    for (const tok of options) {
      const name = optionName(tok, SELECTION, 'selection');
      if (name === 'SUBSCRIBED') select.subscribed = true;
      else if (name === 'REMOTE') select.remote = true;
      else if (name === 'RECURSIVEMATCH') select.recursiveMatch = true;
      else select.specialUse = true;
    }
    // RFC 5258 §3.1: RECURSIVEMATCH needs a base option (SUBSCRIBED); REMOTE and
    // RFC 6154's SPECIAL-USE are independent options and do not count.
    if (select.recursiveMatch && !select.subscribed) throw new ParseError('RECURSIVEMATCH needs the SUBSCRIBED selection option');
  }
  // RFC 5258 §3.1: SUBSCRIBED as a selection option implies it as a return option.
  if (select.subscribed) returns.subscribed = true;

  const reference = args.mailboxToFind();
  let patterns: Array<string | null>;
  if (args.peek()?.t === 'list') {
    extended = true;
    const list = args.list('mailbox patterns');
    if (list.length === 0) throw new ParseError('empty list of mailbox patterns');
    if (list.length > MAX_PATTERNS) throw new ParseError(`more than ${MAX_PATTERNS} mailbox patterns`);
    patterns = list.map((tok) => patternOf(tok, args.utf8Names));
  } else {
    patterns = [args.mailboxToFind()];
  }

  if (args.more) {
    const word = args.atom('RETURN');
    if (word.toUpperCase() !== 'RETURN') throw new ParseError('expected RETURN');
    extended = true;
    const options = args.list('return options');
    for (let i = 0; i < options.length; i++) {
      const name = optionName(options[i], RETURN, 'return');
      if (name === 'SUBSCRIBED') returns.subscribed = true;
      else if (name === 'CHILDREN') returns.children = true;
      else if (name === 'SPECIAL-USE') returns.specialUse = true;
      else if (name === 'METADATA') {
        // RFC 9590 §3: METADATA (entry …); given twice, the entries add up.
        const entries = options[++i];
        if (entries?.t !== 'list') throw new ParseError('METADATA needs a list of entries');
        returns.metadata = [...new Set([...(returns.metadata ?? []), ...entryNames(entries)])];
      } else {
        const items = options[++i];
        if (items?.t !== 'list') throw new ParseError('STATUS needs a list of status items');
        // RFC 5258 §3: an option given twice acts as if given once; the items add up.
        returns.status = [...(returns.status ?? []), ...items.v];
      }
    }
  }
  args.end();
  return { extended, select, returns, reference, patterns };
}

/** One pattern of a pattern list: an astring read like any other mailbox argument. */
function patternOf(tok: Token, utf8Names: boolean): string | null {
  if (tok.t === 'list') throw new ParseError('expected a mailbox pattern');
  return new Args([tok], utf8Names).mailboxToFind();
}
