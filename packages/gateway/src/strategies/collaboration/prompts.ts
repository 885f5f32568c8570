// Every prompt a collaboration uses, in one place (docs/collaboration.md
// lists them). Agents get the client's own messages with a role's system
// prompt in front; the stages after the first get the task and the answers
// so far in one user message built here.

/** A role an agent plays: its system prompt, the task classes it is for, the backends it prefers. */
export interface Role {
  name: string;
  systemPrompt: string;
  /** Task classes it is for; empty = every class. */
  tasks: readonly string[];
  /** Backend names it prefers, in order. */
  backends: readonly string[];
}

/** The task classes the built-in classifier tells apart, and their example utterances. */
export const BUILT_IN_TASKS: readonly { name: string; utterances: readonly string[] }[] = [
  {
    name: 'code',
    utterances: [
      'write a python function that',
      'fix this bug in my code',
      'implement a class in typescript',
      'why does this javascript throw an exception',
      'refactor this function',
      'write a SQL query that',
      'compile error in rust',
      'write unit tests for this code',
    ],
  },
  {
    name: 'math',
    utterances: [
      'solve for x in the equation',
      'what is the integral of',
      'prove that the sum of',
      'how many ways can you choose',
      'calculate the probability that',
      'find the derivative of',
      'a train travels at 60 km per hour how long',
      'what is 15 percent of 240',
    ],
  },
  {
    name: 'general',
    utterances: [
      'explain the difference between',
      'write an email to my manager',
      'summarize this article',
      'what are the pros and cons of',
      'give me ideas for',
      'translate this into french',
      'tell me about the history of',
      'how do I plan a trip to',
    ],
  },
];

/** Built-in roles per task class, used when the route's library has none for the task. */
export const BUILT_IN_ROLES: readonly Role[] = [
  {
    name: 'programmer',
    tasks: ['code'],
    backends: [],
    systemPrompt:
      'You are an expert programmer. Write correct, idiomatic, complete code, and say briefly why it is correct. Handle edge cases.',
  },
  {
    name: 'code-reviewer',
    tasks: ['code'],
    backends: [],
    systemPrompt:
      'You are a meticulous code reviewer. Solve the task, then check your solution line by line for bugs, edge cases and wrong assumptions before you answer.',
  },
  {
    name: 'test-engineer',
    tasks: ['code'],
    backends: [],
    systemPrompt: 'You are a test engineer. Solve the task and think through the test cases a correct solution must pass.',
  },
  {
    name: 'mathematician',
    tasks: ['math'],
    backends: [],
    systemPrompt: 'You are a careful mathematician. Reason step by step, check each step, and give the final answer clearly.',
  },
  {
    name: 'calculator',
    tasks: ['math'],
    backends: [],
    systemPrompt:
      'You solve quantitative problems by writing out every calculation explicitly and double-checking the arithmetic.',
  },
  {
    name: 'assistant',
    tasks: ['general'],
    backends: [],
    systemPrompt: 'You are a knowledgeable, precise assistant. Answer accurately and completely, without padding.',
  },
  {
    name: 'analyst',
    tasks: ['general'],
    backends: [],
    systemPrompt: 'You are an analyst. Consider the question from several angles and give a well-reasoned, balanced answer.',
  },
  {
    name: 'skeptic',
    tasks: ['math', 'general'],
    backends: [],
    systemPrompt: 'You look for the mistake others would make. Solve the problem while actively checking for traps and errors.',
  },
];

/** cot: the agent's system prompt gains this. */
export const STEP_BY_STEP = 'Think step by step: work through the problem before you give the final answer.';

const section = (title: string, text: string) => `## ${title}\n\n${text.trim()}\n`;
const answersSection = (answers: readonly string[]) => answers.map((a, i) => section(`Answer ${i + 1}`, a)).join('\n');

/** chain: the next agent improves the previous answer. */
export const refine = (task: string, previous: string): string =>
  `${section('Task', task)}\n${section('Previous answer', previous)}\nImprove the previous answer: fix what is wrong, add what is missing, keep what is right. Reply with the improved answer only.`;

/** reflection: the judge critiques an answer. */
export const critique = (task: string, answer: string): string =>
  `${section('Task', task)}\n${section('Answer', answer)}\nCritique the answer: list its errors, gaps and unclear parts, most important first. Do not rewrite it.`;

/** reflection: the agent revises after the critique. */
export const revise = (task: string, answer: string, critiqueText: string): string =>
  `${section('Task', task)}\n${section('Your answer', answer)}\n${section('Critique', critiqueText)}\nRevise your answer to address the critique. Reply with the revised answer only.`;

/** debate: an agent sees the others' answers and updates its own. */
export const debateRound = (task: string, own: string, others: readonly string[]): string =>
  `${section('Task', task)}\n${section('Your answer', own)}\n${section("Other agents' answers", answersSection(others))}\nConsider the other answers. Where they are right and you are wrong, change your answer; where you are right, keep it. Reply with your updated answer only.`;

/** debate: the judge decides. */
export const aggregate = (task: string, answers: readonly string[]): string =>
  `${section('Task', task)}\n${answersSection(answers)}\nThese are answers from several agents after a debate. Decide which is correct (or combine them where they agree) and reply with the final answer only.`;

/** fusion: the judge's structured findings. */
export const findings = (task: string, answers: readonly string[]): string =>
  `${section('Task', task)}\n${answersSection(answers)}\nCompare the answers. Reply with JSON only: {"agreement": [points all answers share], "contradictions": [points where they differ, and which is right if you can tell], "gaps": [what every answer missed]}.`;

/** fusion: the synthesizer writes the final answer. */
export const synthesize = (task: string, answers: readonly string[], judged: string): string =>
  `${section('Task', task)}\n${answersSection(answers)}\n${section("A judge's findings", judged)}\nWrite the best final answer to the task, using the answers and the findings. Reply with the answer only, as if answering the task directly.`;
