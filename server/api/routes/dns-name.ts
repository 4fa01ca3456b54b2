// A DNS host or domain name as the API accepts it (RFC 1123 labels), lowercased.
import { z } from 'zod';

export const DnsName = z
  .string()
  .max(253)
  .transform((s) => s.trim().toLowerCase().replace(/\.$/, ''))
  .pipe(z.string().regex(/^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)+$/, 'expected a DNS name such as mail.example.com'));
