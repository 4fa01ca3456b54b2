// The server side of one SCRAM-SHA-256[-PLUS] exchange (RFC 5802 §5), free of
// any protocol: IMAP AUTHENTICATE and SMTP AUTH move the messages and map the
// outcomes to their replies.
//
//   begin(client-first)   -> username to look up     (ScramSyntaxError, ScramRefused)
//   challenge(credentials) -> server-first-message
//   receiveFinal(client-final)                        (ScramSyntaxError)
//   verify()              -> the account, or null     (nonce, channel binding, proof)
//   serverFinal()         -> server-final-message (v=), after verify() succeeded
import crypto from 'node:crypto';
import {
  type ClientFinal,
  type ClientFirst,
  formatServerFirst,
  parseClientFinal,
  parseClientFirst,
  proofMatches,
  SCRAM_MAX_MESSAGE,
  ScramSyntaxError,
  type ScramVerifier,
  serverSignature,
} from './scram.ts';

export const SCRAM_MECHANISMS = ['SCRAM-SHA-256', 'SCRAM-SHA-256-PLUS'] as const;
export type ScramMechanism = (typeof SCRAM_MECHANISMS)[number];

/** A refusal that is not a syntax error: a downgrade, a channel binding this connection lacks, another authzid. */
export class ScramRefused extends Error {}

export interface ScramChannel {
  /** Whether SCRAM-SHA-256-PLUS was advertised on this connection (RFC 5802 §6's downgrade rule). */
  plusAdvertised: boolean;
  /** The cb-data for a channel binding type, null when this connection cannot give it. */
  bindingData(type: string): Buffer | null;
}

/** A decoded client message: bounded, valid UTF-8, no NUL (RFC 5802 §7 has none). */
export function scramText(data: Buffer): string {
  if (data.length > SCRAM_MAX_MESSAGE) throw new ScramSyntaxError('message too long');
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(data);
  } catch {
    throw new ScramSyntaxError('message is not UTF-8');
  }
  if (text.includes('\0')) throw new ScramSyntaxError('NUL in message');
  return text;
}

export class ScramExchange<Account> {
  private first: ClientFirst | null = null;
  private expectedBinding: Buffer | null = null;
  private serverFirst = '';
  private nonce = '';
  private credentials: (ScramVerifier & { account: Account | null }) | null = null;
  private final: ClientFinal | null = null;
  private verified = false;

  constructor(
    readonly mechanism: ScramMechanism,
    private readonly channel: ScramChannel,
  ) {}

  begin(data: Buffer): string {
    const first = parseClientFirst(scramText(data));
    const plus = this.mechanism === 'SCRAM-SHA-256-PLUS';
    let cbData: Buffer = Buffer.alloc(0);
    if (first.binding.kind === 'p') {
      if (!plus) throw new ScramRefused('channel binding requires SCRAM-SHA-256-PLUS');
      const data = this.channel.bindingData(first.binding.type);
      if (!data) throw new ScramRefused('unsupported channel binding type');
      cbData = data;
    } else if (plus) {
      throw new ScramRefused('SCRAM-SHA-256-PLUS requires channel binding');
    } else if (first.binding.kind === 'y' && this.channel.plusAdvertised) {
      // RFC 5802 §6: "y" while the server offers -PLUS means someone removed it from the list.
      throw new ScramRefused('server does support channel binding');
    }
    if (first.authzid !== null && first.authzid.toLowerCase() !== first.username.toLowerCase()) {
      throw new ScramRefused('cannot act as another user');
    }
    this.first = first;
    this.expectedBinding = Buffer.concat([Buffer.from(first.gs2Header, 'utf8'), cbData]);
    return first.username;
  }

  challenge(credentials: ScramVerifier & { account: Account | null }): string {
    if (!this.first) throw new Error('challenge before begin');
    this.credentials = credentials;
    this.nonce = this.first.nonce + crypto.randomBytes(18).toString('base64');
    this.serverFirst = formatServerFirst(this.nonce, credentials.salt, credentials.iterations);
    return this.serverFirst;
  }

  receiveFinal(data: Buffer): void {
    this.final = parseClientFinal(scramText(data));
  }

  private get authMessage(): string {
    return `${this.first!.bare},${this.serverFirst},${this.final!.withoutProof}`;
  }

  /** The account when nonce, channel binding and proof all match; null otherwise (a failed login). */
  verify(): Account | null {
    const { credentials, final, expectedBinding } = this;
    if (!credentials || !final || !expectedBinding) throw new Error('verify before receiveFinal');
    const nonceOk = final.nonce === this.nonce;
    const bindingOk = final.channelBinding.length === expectedBinding.length && crypto.timingSafeEqual(final.channelBinding, expectedBinding);
    const proofOk = proofMatches(credentials, this.authMessage, final.proof);
    this.verified = nonceOk && bindingOk && proofOk && credentials.account !== null;
    return this.verified ? credentials.account : null;
  }

  serverFinal(): string {
    if (!this.verified) throw new Error('serverFinal before a successful verify');
    return `v=${serverSignature(this.credentials!.serverKey, this.authMessage).toString('base64')}`;
  }
}

/** The mechanisms to advertise: none without TLS; -PLUS wherever there is TLS (channel binding is then possible). */
export const scramMechanisms = (tls: boolean): ScramMechanism[] => (tls ? [...SCRAM_MECHANISMS] : []);
