import { startTestHeron } from '../tests/helpers/heron.ts';
import { findMailServerByHostname, updateMailServer } from '../schema/index.ts';
const h = await startTestHeron({ env: { HERON_LOG_LEVEL: 'info' } });
const row = await findMailServerByHostname(h.store, 'heron.test');
await updateMailServer(h.store, row!.id, { max_size: 2000 });
await new Promise((r) => setTimeout(r, 500));
console.log(h.services.flatMap(s=>s.describe()));
await h.stop();
