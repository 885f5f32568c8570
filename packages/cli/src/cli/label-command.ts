import { parseDuration } from '@switchboard/api';
import { list, nonNegative, parseOptions, usage, UsageError } from './args.js';
import type { Command } from './command.js';

const options = {
  routes: { type: 'string' },
  route: { type: 'string' },
  prompts: { type: 'string' },
  out: { type: 'string' },
  backends: { type: 'string' },
  strong: { type: 'string' },
  judge: { type: 'string' },
  'judge-mode': { type: 'string' },
  grading: { type: 'string' },
  concurrency: { type: 'string' },
  retries: { type: 'string' },
  budget: { type: 'string' },
  'max-tokens': { type: 'string' },
  'judge-max-tokens': { type: 'string' },
  timeout: { type: 'string' },
  source: { type: 'string' },
  limit: { type: 'string' },
  'dry-run': { type: 'boolean' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

const GRADINGS = ['exact', 'numeric', 'choice'] as const;

export const labelCommand: Command = {
  name: 'label',
  summary: "training data from your own prompts: the route's backends answer, a reference or a judge grades",
  dataErrors: true,
  help: `Usage:
  switchboard label --routes DIR|FILE [--route NAME] --prompts FILE --out FILE.jsonl
                    [--backends a,b] [--judge BACKEND|ROUTE/BACKEND [--judge-mode pairwise|single] [--strong BACKEND]]
                    [--grading exact|numeric|choice] [--concurrency 4] [--retries 2] [--budget USD]
                    [--max-tokens 1024] [--judge-max-tokens 512] [--timeout 120s] [--source NAME]
                    [--limit N] [--dry-run] [--json]

Each prompt (JSON Lines with "prompt" and optionally "id", "reference" or
"answer", "source" — a prompts file or the records the gateway's prompt
sampling writes — or one prompt per line) goes to every backend of the route
(or those of --backends) through its real API, with the route's credentials.
A line with "messages" (a sampled chat request) is a conversation: the
prompt is asked after the system and earlier user and assistant messages
before its last user message, the judge is shown them, and the row keeps
"messages", from which train reads the conversation's turns.
Each answer is graded: against the reference answer when the prompt has one
(--grading, by default what the reference looks like: a letter is a choice,
a number numeric, anything else exact), else by the --judge backend: pairwise
(default) compares every answer with the --strong backend's (default: the
dearest by output price) in both orders, scores win 1 / tie 0.5 / loss 0,
the strong answer 0.5; single grades each answer 1-10 (score = grade / 10).
The rubric prompts are MT-Bench's (docs/routing.md, "How label grades").

Rows are appended to --out as they finish, in the format switchboard train
reads, with each model's output length, tokens, latency and cost: a re-run
skips the prompts already there (resumable). Before starting it prints the
most the run can cost; --budget stops starting prompts once the spend would
pass it. --dry-run prints the estimate only. Progress (ETA, spend) goes to
stderr.
`,
  async run(args, { log, progress, write }) {
    const v = parseOptions('label', options, args);
    const mode = v['judge-mode'] ?? 'pairwise';
    if (mode !== 'pairwise' && mode !== 'single') throw new UsageError(`--judge-mode must be pairwise or single, got "${mode}"`);
    const grading = v.grading;
    if (grading !== undefined && !(GRADINGS as readonly string[]).includes(grading))
      throw new UsageError(`--grading must be one of ${GRADINGS.join(', ')}, got "${grading}"`);
    const concurrency = nonNegative(v.concurrency, 4, 'concurrency');
    if (concurrency < 1) throw new UsageError('--concurrency must be at least 1');
    let timeout: number;
    try {
      timeout = parseDuration(v.timeout ?? '120s');
    } catch (err) {
      throw new UsageError(`--timeout: ${(err as Error).message}`);
    }
    const out = v.out ?? usage('label needs --out FILE.jsonl');
    const { formatLabelReport, runLabel } = await import('../commands/label.js');
    const report = await runLabel(
      {
        routes: v.routes ?? usage('label needs --routes DIR (or a route file)'),
        route: v.route,
        prompts: v.prompts ?? usage('label needs --prompts FILE'),
        out,
        backends: list(v.backends),
        strong: v.strong,
        judge: v.judge,
        mode,
        grading: grading as (typeof GRADINGS)[number] | undefined,
        concurrency,
        retries: nonNegative(v.retries, 2, 'retries'),
        budget: v.budget === undefined ? undefined : nonNegative(v.budget, 0, 'budget'),
        maxTokens: nonNegative(v['max-tokens'], 1024, 'max-tokens'),
        judgeMaxTokens: nonNegative(v['judge-max-tokens'], 512, 'judge-max-tokens'),
        timeoutMs: timeout,
        source: v.source,
        limit: v.limit === undefined ? undefined : nonNegative(v.limit, 0, 'limit'),
        dryRun: Boolean(v['dry-run']),
      },
      log,
      progress,
    );
    write(`${v.json ? JSON.stringify(report) : formatLabelReport(report, out)}\n`);
  },
};
