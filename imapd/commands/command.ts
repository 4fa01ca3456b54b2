// What every command file declares: its name, the states it is allowed in
// (RFC 3501 §3), whether it has a UID form, how its arguments parse, and what it does.
import type { CommandLine } from '../parser/command-line.ts';
import type { Args } from '../parser/args.ts';
import type { Session, State } from '../session.ts';

/** The tagged OK's text and optional response code. */
export interface Completion {
  text?: string;
  code?: string;
  /** Runs right after the tagged OK is written (LOGOUT closes, STARTTLS starts the handshake). */
  after?: () => void;
}

export interface CommandSpec<A> {
  name: string;
  states: readonly State[];
  uid?: boolean;
  parse(args: Args, line: CommandLine): A;
  run(session: Session, args: A, line: CommandLine): Promise<Completion | void>;
  /**
   * Optional: runs consecutive pipelined commands of this kind together (the
   * session collects the ones already received, APPEND shares one commit).
   * Returns each command's outcome in order: what `run` would have returned
   * or thrown. The session then answers them one by one, in order.
   */
  runBatch?(session: Session, batch: ReadonlyArray<{ args: A; line: CommandLine }>): Promise<Array<PromiseSettledResult<Completion | void>>>;
}

export const ANY: readonly State[] = ['notauth', 'auth', 'selected'];
export const AUTHENTICATED: readonly State[] = ['auth', 'selected'];
export const SELECTED: readonly State[] = ['selected'];
export const NOT_AUTHENTICATED: readonly State[] = ['notauth'];

export function defineCommand<A>(spec: CommandSpec<A>): CommandSpec<unknown> {
  return spec as CommandSpec<unknown>;
}

/** For commands without arguments. */
export const noArgs = (args: Args): null => {
  args.end();
  return null;
};

/** For commands whose only argument is a mailbox name. */
export const oneMailbox = (args: Args): { name: string } => {
  const name = args.mailbox();
  args.end();
  return { name };
};
