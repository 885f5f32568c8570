// `npm run bench [latency|tokenizer] [--quick]`: prints the measured numbers.
import { benchLatency } from './latency.js';
import { benchTokenizer } from './tokenizer.js';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const suites = args.filter((a) => !a.startsWith('--'));
const want = (name) => suites.length === 0 || suites.includes(name);

console.log(`Switchboard benchmarks — node ${process.version}, ${new Date().toISOString()}`);
if (want('tokenizer')) benchTokenizer();
if (want('latency')) await benchLatency({ quick });
