// Mail client self-configuration documents: Thunderbird's autoconfig
// (config-v1.1.xml) and Outlook's POX autodiscover. Both describe Heron's
// configured ports and TLS modes; the username is the full address.
export interface ClientSettings {
  mailHost: string;
  ports: { submission: number; submissions: number; imap: number; imaps: number };
}

const escapeXml = (s: string) =>
  s.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!);

/** A plausible mailbox address; the domain part lowercased. Undefined when it is not one. */
export function parseAddress(input: string): { address: string; domain: string } | undefined {
  const m = /^([^\s@<>"]{1,64})@([a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?)+)$/i.exec(input.trim());
  if (!m) return undefined;
  const domain = m[2].toLowerCase();
  return { address: `${m[1]}@${domain}`, domain };
}

export function thunderbirdConfig(domain: string, s: ClientSettings): string {
  const server = (tag: 'incomingServer' | 'outgoingServer', type: string, port: number, socketType: 'SSL' | 'STARTTLS') =>
    [
      `    <${tag} type="${type}">`,
      `      <hostname>${escapeXml(s.mailHost)}</hostname>`,
      `      <port>${port}</port>`,
      `      <socketType>${socketType}</socketType>`,
      `      <authentication>password-cleartext</authentication>`,
      `      <username>%EMAILADDRESS%</username>`,
      `    </${tag}>`,
    ].join('\n');
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<clientConfig version="1.1">',
    `  <emailProvider id="${escapeXml(domain)}">`,
    `    <domain>${escapeXml(domain)}</domain>`,
    `    <displayName>${escapeXml(domain)}</displayName>`,
    `    <displayShortName>${escapeXml(domain)}</displayShortName>`,
    // RFC 8314 §3: implicit TLS first, STARTTLS as the alternative.
    server('incomingServer', 'imap', s.ports.imaps, 'SSL'),
    server('incomingServer', 'imap', s.ports.imap, 'STARTTLS'),
    server('outgoingServer', 'smtp', s.ports.submissions, 'SSL'),
    server('outgoingServer', 'smtp', s.ports.submission, 'STARTTLS'),
    '  </emailProvider>',
    '</clientConfig>',
    '',
  ].join('\n');
}

/** The address in an Outlook autodiscover request body, if there is one. */
export function autodiscoverRequestAddress(body: string): string | undefined {
  const m = /<EMailAddress>\s*([^<]{1,320}?)\s*<\/EMailAddress>/i.exec(body);
  return m?.[1];
}

export function outlookAutodiscover(address: string, s: ClientSettings): string {
  const protocol = (type: 'IMAP' | 'SMTP', port: number) =>
    [
      '      <Protocol>',
      `        <Type>${type}</Type>`,
      `        <Server>${escapeXml(s.mailHost)}</Server>`,
      `        <Port>${port}</Port>`,
      `        <LoginName>${escapeXml(address)}</LoginName>`,
      '        <DomainRequired>off</DomainRequired>',
      '        <SPA>off</SPA>',
      '        <SSL>on</SSL>',
      '        <Encryption>SSL</Encryption>',
      '        <AuthRequired>on</AuthRequired>',
      '      </Protocol>',
    ].join('\n');
  return [
    '<?xml version="1.0" encoding="utf-8"?>',
    '<Autodiscover xmlns="http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006">',
    '  <Response xmlns="http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a">',
    '    <Account>',
    '      <AccountType>email</AccountType>',
    '      <Action>settings</Action>',
    protocol('IMAP', s.ports.imaps),
    protocol('SMTP', s.ports.submissions),
    '    </Account>',
    '  </Response>',
    '</Autodiscover>',
    '',
  ].join('\n');
}
