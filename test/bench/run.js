// `npm run bench [latency|tokenizer|routing|strategies|grpc|doors|faults|limits|soak] [--quick] [--requests N]`: prints
// the measured numbers. With no suite named, runs latency and tokenizer (faults, limits and soak take minutes).
import { benchDoors } from './doors.js';
import { benchFaults } from './faults.js';
import { benchGrpc } from './grpc.js';
import { benchLatency } from './latency.js';
import { benchLimits } from './limits.js';
import { benchRouting } from './routing.js';
import { benchSoak } from './soak.js';
import { benchStrategies } from './strategies.js';
import { benchTokenizer } from './tokenizer.js';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const at = args.indexOf('--requests');
const requests = at >= 0 ? Number(args[at + 1]) : undefined;
const suites = args.filter((a, i) => !a.startsWith('--') && args[i - 1] !== '--requests');
const LONG = new Set(['faults', 'limits', 'soak']);
const want = (name) => (suites.length === 0 && !LONG.has(name)) || suites.includes(name);

console.log(`Switchboard benchmarks — node ${process.version}, ${new Date().toISOString()}`);
if (want('tokenizer')) benchTokenizer();
if (want('routing')) benchRouting({ quick });
if (want('strategies')) await benchStrategies({ quick });
if (want('latency')) await benchLatency({ quick });
if (want('grpc')) await benchGrpc({ quick });
if (want('doors')) await benchDoors({ quick });
if (want('faults')) await benchFaults({ quick });
if (want('limits')) await benchLimits({ quick });
if (want('soak')) await benchSoak({ quick, requests });
