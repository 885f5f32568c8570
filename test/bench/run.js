// `npm run bench [latency|tokenizer|routing|strategies|grpc|faults] [--quick]`: prints the measured numbers.
// With no suite named, runs latency and tokenizer (faults takes over a minute).
import { benchFaults } from './faults.js';
import { benchGrpc } from './grpc.js';
import { benchLatency } from './latency.js';
import { benchRouting } from './routing.js';
import { benchStrategies } from './strategies.js';
import { benchTokenizer } from './tokenizer.js';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const suites = args.filter((a) => !a.startsWith('--'));
const want = (name) => (suites.length === 0 && name !== 'faults') || suites.includes(name);

console.log(`Switchboard benchmarks — node ${process.version}, ${new Date().toISOString()}`);
if (want('tokenizer')) benchTokenizer();
if (want('routing')) benchRouting({ quick });
if (want('strategies')) await benchStrategies({ quick });
if (want('latency')) await benchLatency({ quick });
if (want('grpc')) await benchGrpc({ quick });
if (want('faults')) await benchFaults({ quick });
