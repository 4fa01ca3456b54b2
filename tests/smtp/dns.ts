// A real DNS server on loopback (dns2) publishing TXT records for SPF, DKIM and
// DMARC tests. A name mapped to 'SERVFAIL' answers SERVFAIL; 'SILENT' never
// answers (a timeout); anything unknown is NXDOMAIN.
import dns2 from 'dns2';

const { Packet } = dns2;

export type TxtAnswer = string[] | 'SERVFAIL' | 'SILENT';

export interface TestDns {
  address: string;
  records: Map<string, TxtAnswer>;
  close(): Promise<void>;
}

export async function startDns(records: Record<string, TxtAnswer> = {}): Promise<TestDns> {
  const table = new Map(Object.entries(records).map(([k, v]) => [k.toLowerCase(), v] as const));
  const server = dns2.createServer({
    udp: true,
    handle: (request, send) => {
      const response = Packet.createResponseFromRequest(request);
      const [question] = request.questions;
      const name = question.name.toLowerCase();
      const answer = table.get(name);
      if (answer === 'SILENT') return;
      if (answer === 'SERVFAIL') {
        response.header.rcode = Packet.RCODE.SERVFAIL;
      } else if (answer && question.type === Packet.TYPE.TXT) {
        for (const txt of answer) {
          // Strings over 255 octets are split into character-strings (RFC 1035 §3.3.14).
          const parts = txt.match(/.{1,255}/g) ?? [''];
          response.answers.push({ name: question.name, type: Packet.TYPE.TXT, class: Packet.CLASS.IN, ttl: 60, data: Array.from(parts) } as (typeof response.answers)[number]);
        }
      } else if (!answer) {
        response.header.rcode = Packet.RCODE.NXDOMAIN;
      }
      send(response);
    },
  });
  await server.listen({ udp: { port: 0, address: '127.0.0.1' } });
  const udp = server.addresses().udp;
  if (!udp) throw new Error('dns2 did not bind UDP');
  return {
    address: `127.0.0.1:${udp.port}`,
    records: table,
    close: () => server.close(),
  };
}
