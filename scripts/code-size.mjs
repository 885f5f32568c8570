// `node scripts/code-size.mjs [N]`: the N largest hand-written source files
// (TypeScript and Rust; generated files and tests left out) and the N longest
// TypeScript functions, in lines — the measure of "functions that fit on a
// screen". Uses the TypeScript compiler's parser.
import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import ts from 'typescript';

const top = Number(process.argv[2] ?? 10);
const files = execFileSync('git', ['ls-files', 'packages/*/src/**', 'crates/*/src/**'], { encoding: 'utf8' })
  .split('\n')
  .filter((f) => /\.(ts|rs)$/.test(f) && !/\.test\.ts$|\.fixture\.ts$|\/generated\/|binding\.d\.ts$/.test(f));

const lines = (text) => text.split('\n').length;
const sizes = files.map((f) => [lines(readFileSync(f, 'utf8')), f]).sort((a, b) => b[0] - a[0]);

const functions = [];
for (const file of files.filter((f) => f.endsWith('.ts'))) {
  const text = readFileSync(file, 'utf8');
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const visit = (node) => {
    if (ts.isFunctionLike(node) && 'body' in node && node.body) {
      const start = source.getLineAndCharacterOfPosition(node.getStart()).line;
      const end = source.getLineAndCharacterOfPosition(node.getEnd()).line;
      const name =
        node.name?.getText(source) ?? (ts.isVariableDeclaration(node.parent) ? node.parent.name.getText(source) : '(anonymous)');
      functions.push([end - start + 1, `${file}:${start + 1} ${name}`]);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
}
functions.sort((a, b) => b[0] - a[0]);

console.log(`Largest source files (lines):`);
for (const [n, f] of sizes.slice(0, top)) console.log(`  ${String(n).padStart(5)}  ${f}`);
console.log(`Longest TypeScript functions (lines):`);
for (const [n, f] of functions.slice(0, top)) console.log(`  ${String(n).padStart(5)}  ${f}`);
