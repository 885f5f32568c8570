import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// The built CLI as a user runs it: every command has its own help, and a wrong option says which ones it takes.
const BIN = fileURLToPath(new URL('../../packages/cli/dist/bin.js', import.meta.url));
const run = (...args: string[]) => spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 30_000 });

// The README's command table.
const COMMANDS = ['serve', 'dev', 'mock-backend', 'label', 'train', 'eval', 'simulate', 'calibrate'];

describe('switchboard --help', () => {
  it('lists every command and exits 0', () => {
    for (const args of [['--help'], ['-h'], ['help'], []]) {
      const r = run(...args);
      expect(r.status).toBe(0);
      for (const c of COMMANDS) expect(r.stdout).toMatch(new RegExp(`^  ${c} `, 'm'));
    }
  });

  it.each(COMMANDS)('switchboard %s --help prints its usage and exits 0', (command) => {
    const r = run(command, '--help');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain(`switchboard ${command} `);
    expect(r.stdout.startsWith('Usage:')).toBe(true);
    expect(r.stderr).toBe('');
  });

  it('an unknown option is a one-line error naming the options the command takes', () => {
    const r = run('calibrate', '--routes', 'x');
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain("Unknown option '--routes'");
    expect(r.stderr).toContain('calibrate takes --router, --prompts, --target-strong-fraction, --json, --help');
    expect(r.stdout).toBe('');
  });

  it('an unknown command is an error', () => {
    const r = run('deploy');
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('unknown command "deploy"');
  });

  it('a missing required option names it', () => {
    const r = run('calibrate', '--prompts', 'p.jsonl', '--target-strong-fraction', '0.3');
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('switchboard calibrate: calibrate needs --router PATH_OR_NAME');
  });
});
