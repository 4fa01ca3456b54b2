// A long-running part of the process (the API, an SMTP or IMAP listener set, a
// worker). Heron starts them in order and stops them in reverse.
export interface Service {
  readonly name: string;
  start(): Promise<void>;
  /** Stop accepting, let in-flight work finish (bounded), release resources. */
  stop(): Promise<void>;
  /** What a person needs to reach it, e.g. ["api http://0.0.0.0:6336"]; filled after start. */
  describe(): string[];
}
