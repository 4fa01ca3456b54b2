// Runs mailauth (SPF, DKIM, DMARC, ARC) on an inbound message and reduces the
// result to the verdicts the score needs plus the header lines to prepend.
import { authenticate, type DNSResolver } from 'mailauth';
import type { AuthVerdicts } from './score.ts';

export interface AuthCheck {
  verdicts: AuthVerdicts;
  /** Authentication-Results (and Received-SPF) lines from mailauth, CRLF-terminated. */
  headers: string;
}

export interface AuthInput {
  raw: Buffer;
  ip: string;
  helo: string;
  /** MAIL FROM; empty for the null reverse-path. */
  sender: string;
  /** Our hostname: the authserv-id of Authentication-Results. */
  mta: string;
  resolver: DNSResolver;
}

interface StatusCarrier {
  status?: { result?: string };
}

const resultOf = (r: unknown): string => ((r as StatusCarrier | false | undefined) || undefined)?.status?.result ?? 'none';

export async function checkAuthentication(input: AuthInput): Promise<AuthCheck> {
  const result = await authenticate(input.raw, {
    ip: input.ip,
    helo: input.helo,
    sender: input.sender || `postmaster@${input.helo}`,
    mta: input.mta,
    resolver: input.resolver,
    disableBimi: true,
  });
  const signatures = (result.dkim?.results ?? []) as StatusCarrier[];
  return {
    verdicts: {
      spf: resultOf(result.spf),
      dkim: signatures.map((s) => s.status?.result ?? 'none'),
      dmarc: resultOf(result.dmarc),
    },
    headers: result.headers,
  };
}
