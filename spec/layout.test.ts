// CONTRIBUTING.md's "How the code is laid out" names every file of lib/, and only those: a file added,
// moved or removed without its line fails here.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = join(__dirname, '..');

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? filesUnder(join(dir, entry.name)) : [relative(join(root, 'lib'), join(dir, entry.name))],
  );
}

// The tree in CONTRIBUTING.md: indentation gives the folder, a line is "name  what it is for".
function filesInTree(): { files: string[]; undescribed: string[] } {
  const contributing = readFileSync(join(root, 'CONTRIBUTING.md'), 'utf8');
  const section = contributing.slice(contributing.indexOf('## How the code is laid out'));
  const tree = /```text\nlib\/\n([\s\S]*?)```/.exec(section)?.[1];
  if (tree === undefined) throw new Error('CONTRIBUTING.md has no ```text tree starting with lib/ under "How the code is laid out"');
  const files: string[] = [];
  const undescribed: string[] = [];
  let folder = '';
  for (const line of tree.split('\n').filter((l) => l.trim() !== '')) {
    const depth = (line.length - line.trimStart().length) / 2;
    const [name, ...what] = line.trim().split(/\s{2,}/);
    if (name!.endsWith('/')) {
      folder = depth === 1 ? name! : folder;
      continue;
    }
    const path = depth === 1 ? name! : folder + name!;
    files.push(path);
    if (what.join('').trim() === '') undescribed.push(path);
  }
  return { files, undescribed };
}

test('every file of lib/ has a line in the CONTRIBUTING.md tree, and every line names a file of lib/', () => {
  const actual = filesUnder(join(root, 'lib')).sort();
  const { files } = filesInTree();
  expect(files.sort()).toEqual(actual);
});

test('every line of the tree says what its file is for', () => {
  expect(filesInTree().undescribed).toEqual([]);
});

test('the tree is read as a tree: folders nest their files', () => {
  const { files } = filesInTree();
  expect(files).toContain('keys/material.ts');
  expect(files).toContain('options/resolve.ts');
  expect(files).toContain('strategy.ts');
  expect(files).not.toContain('material.ts');
});

// spec/ mirrors lib/: a test file is named after the module it tests, never after how its rules
// were found (a mutation run, a hostile review), which would scatter one module over several files.
function testFilesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? testFilesUnder(join(dir, entry.name))
      : entry.name.endsWith('.test.ts')
        ? [relative(root, join(dir, entry.name))]
        : [],
  );
}

test('no test file is named after how its rules were found', () => {
  const named = testFilesUnder(join(root, 'spec')).filter((path) => /\.(rules|mutants|hostile)\.test\.ts$/.test(path));
  expect(named).toEqual([]);
});

test('control: the walk finds the test files of spec/ and its folders', () => {
  const files = testFilesUnder(join(root, 'spec'));
  expect(files).toContain('spec/keys/jwks.test.ts');
  expect(files).toContain('spec/layout.test.ts');
});
