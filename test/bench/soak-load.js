// The soak benchmark's load generator, in a process of its own: `node soak-load.js ORIGIN BODY REQUESTS CONCURRENCY`.
// Prints {"rps": ...}; exits 1 if any request failed.
import { Pool } from 'undici';

const [origin, body, requests, concurrency] = process.argv.slice(2);
const total = Number(requests);
const pool = new Pool(origin, { connections: Number(concurrency) });
let next = 0;
let failed = 0;
const started = performance.now();
await Promise.all(
  Array.from({ length: Number(concurrency) }, async () => {
    while (next < total) {
      next++;
      const res = await pool.request({
        method: 'POST',
        path: '/v1/chat/completions',
        headers: { 'content-type': 'application/json' },
        body,
      });
      if (res.statusCode !== 200) failed++;
      await res.body.dump({ limit: Infinity });
    }
  }),
);
await pool.close();
if (failed) {
  console.error(`${failed} of ${total} requests failed`);
  process.exit(1);
}
console.log(JSON.stringify({ rps: total / ((performance.now() - started) / 1000) }));
