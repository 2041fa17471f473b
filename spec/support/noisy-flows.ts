// Runs logins that succeed and fail in every way, with debug output and an onEvent logger, and
// writes every token and secret it used to the file named by argv[2]: spec/events.test.ts
// greps this process's whole output for them.
import { writeFileSync } from 'node:fs';
import { JwtSsoError, type ReplayStore } from '../../lib';
import { startApp } from '../helpers/app';
import { providerReturn, returnToOf } from '../helpers/flow';
import { mint, OTHER_SECRET, puavoClaims, raw, SECRET } from '../helpers/tokens';

const used: string[] = [SECRET, OTHER_SECRET, 'cookie-signing-secret'];
const token = (t: string) => (used.push(t), t);
const log = (line: unknown) => console.log(typeof line === 'string' ? line : JSON.stringify(line));

async function main(): Promise<void> {
  const down: ReplayStore = { consume: () => Promise.reject(new Error('ECONNREFUSED 127.0.0.1:6379')) };
  for (const strategy of [{}, { state: false }, { state: false, replayStore: down }]) {
    const app = await startApp({ strategy: { ...strategy, onEvent: log } });
    const nowS = Math.floor(Date.now() / 1000);
    const tokens = [
      token(mint(puavoClaims())),
      token(mint(puavoClaims(), OTHER_SECRET)),
      token(raw({ alg: 'HS512' }, puavoClaims(), SECRET, 'sha512')),
      token(mint(puavoClaims(nowS - 3600))),
      token(mint(puavoClaims(nowS + 3600))),
    ];
    tokens.push(tokens[0]!); // a replay
    for (const t of tokens) {
      const browser = app.browser();
      const start = await browser.get('/checked');
      const path = start.status === 302 ? providerReturn(returnToOf(start.headers.location), t) : `/checked?jwt=${t}`;
      const callback = await browser.get(path);
      const res = callback.status === 303 ? await browser.get(callback.headers.location!) : callback;
      // What an app's logger would print: status, code and message of every answer.
      log({ status: res.status, body: res.body });
    }
    await app.close();
  }
  log(new JwtSsoError('ERR_JWTSSO_TOKEN_MALFORMED', 'sample').message);
  writeFileSync(process.argv[2]!, JSON.stringify(used));
}

void main();
