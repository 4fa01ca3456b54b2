// The worker thread of server/api/json-worker.ts (plain JavaScript: worker
// threads do not load through tsx). It collects a body's chunks, parses them,
// and refuses a document with too many values or nested too deep before the
// value is copied back to the main thread, whose copy then costs about as much
// as the document's strings (a few ms for 30 MB).
import { parentPort, workerData } from 'node:worker_threads';

const { maxValues, maxDepth } = workerData;
/** id -> chunks received so far */
const bodies = new Map();

/** Why the value may not go back, or null. Iterative: deep nesting must not overflow our stack. */
function shapeProblem(root) {
  let values = 0;
  const stack = [[root, 1]];
  while (stack.length > 0) {
    const [value, depth] = stack.pop();
    if (++values > maxValues) return `the document has more than ${maxValues} values`;
    if (value === null || typeof value !== 'object') continue;
    if (depth > maxDepth) return `the document is nested deeper than ${maxDepth} levels`;
    for (const child of Array.isArray(value) ? value : Object.values(value)) stack.push([child, depth + 1]);
  }
  return null;
}

parentPort.on('message', (message) => {
  const { id } = message;
  if (message.chunk) {
    let chunks = bodies.get(id);
    if (!chunks) bodies.set(id, (chunks = []));
    chunks.push(Buffer.from(message.chunk));
    return;
  }
  const chunks = bodies.get(id) ?? [];
  bodies.delete(id);
  if (message.cancel) return;
  let value;
  try {
    value = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    parentPort.postMessage({ id, ok: false, error: 'request body is not valid JSON' });
    return;
  }
  const problem = shapeProblem(value);
  parentPort.postMessage(problem ? { id, ok: false, error: problem } : { id, ok: true, value });
});
