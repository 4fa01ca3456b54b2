// A loopback authoritative DNS server (dns2, UDP) answering from an in-memory
// record list, for tests that resolve through HERON_DNS, Pebble or mailauth.
import dns2 from 'dns2';

const { Packet } = dns2;

export type TestRecord =
  | { name: string; type: 'A'; address: string }
  | { name: string; type: 'TXT'; data: string[] }
  | { name: string; type: 'MX'; exchange: string; priority: number }
  | { name: string; type: 'SRV'; priority: number; weight: number; port: number; target: string }
  | { name: string; type: 'CNAME'; domain: string }
  | { name: string; type: 'CAA'; flags: number; tag: string; value: string };

export interface TestDns {
  /** host:port for HERON_DNS, dns.Resolver#setServers and pebble -dnsserver. */
  server: string;
  records: TestRecord[];
  /** Live settings: change wildcardA to make names resolve elsewhere. */
  options: { wildcardA?: string; servfail?: boolean };
  close(): Promise<void>;
}

/** `wildcardA` answers A for every name (what Pebble needs to reach the test host). */
export async function startTestDns(records: TestRecord[] = [], options: TestDns['options'] = {}): Promise<TestDns> {
  const state: TestRecord[] = [...records];
  const server = dns2.createServer({
    udp: true,
    handle: (request, send) => {
      const response = Packet.createResponseFromRequest(request);
      response.header.aa = 1;
      if (options.servfail) {
        response.header.rcode = Packet.RCODE.SERVFAIL;
        void send(response);
        return;
      }
      for (const q of request.questions) {
        const name = q.name.toLowerCase().replace(/\.$/, '');
        const type = Object.entries(Packet.TYPE).find(([, code]) => code === q.type)?.[0];
        const matches = state.filter((r) => r.name.toLowerCase() === name && r.type === type);
        if (type === 'A' && options.wildcardA && !matches.length) {
          matches.push({ name, type: 'A', address: options.wildcardA });
        }
        for (const r of matches) {
          const { type: t, name: _n, ...fields } = r;
          response.answers.push({ name: q.name, type: Packet.TYPE[t], class: Packet.CLASS.IN, ttl: 60, ...fields } as never);
        }
      }
      void send(response);
    },
  });
  const addresses = await server.listen({ udp: { port: 0, address: '127.0.0.1' } });
  return {
    server: `127.0.0.1:${addresses.udp!.port}`,
    records: state,
    options,
    close: () => server.close(),
  };
}
