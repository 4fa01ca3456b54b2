// A long-running part of the process (the API, an SMTP or IMAP listener set, a
// worker). Heron starts them in order and stops them in reverse.
export interface Service {
  readonly name: string;
  start(): Promise<void>;
  /** Stop accepting, let in-flight work finish (bounded), release resources. */
  stop(): Promise<void>;
  /** What a person needs to reach it, e.g. ["api http://0.0.0.0:6336"]; filled after start. */
  describe(): string[];
  /** The sockets it listens on and whether they are bound (the console's overview); absent for workers. */
  listeners?(): ListenerState[];
  /** Its open sessions by state (metrics); absent for workers. */
  sessions?(): SessionCount[];
}

/** Live sessions of one protocol in one state, as a service counts them when asked. */
export interface SessionCount {
  protocol: 'smtp' | 'imap';
  /** IMAP: notauth, auth, selected, idle (in IDLE); SMTP: open. */
  state: string;
  count: number;
}

export interface ListenerState {
  /** "smtp", "submission", "imaps", "mail_server example.com", "api", … */
  name: string;
  protocol: 'smtp' | 'imap' | 'http';
  /** Bind address. */
  address: string;
  /** Bound port, or the configured one when binding failed. */
  port: number;
  tls: 'implicit' | 'starttls' | 'none';
  /** SMTP: MX (AUTH optional) or submission (AUTH required). */
  role?: 'mx' | 'submission';
  /** The name whose certificate the listener presents by default. */
  hostname?: string;
  listening: boolean;
  error: string | null;
}
