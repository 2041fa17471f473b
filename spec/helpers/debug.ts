// What `DEBUG=passport-jwtsso` prints while `run` runs: the debug output switched on and
// captured line by line, then switched off and given back to stderr, whatever `run` does.
import { format } from 'node:util';
import createDebug from 'debug';

export async function debugLines(run: () => Promise<void>): Promise<string[]> {
  const lines: string[] = [];
  const savedLog = createDebug.log;
  createDebug.enable('passport-jwtsso');
  createDebug.log = (...args: unknown[]) => void lines.push(format(...args));
  try {
    await run();
  } finally {
    createDebug.disable();
    createDebug.log = savedLog;
  }
  return lines;
}
