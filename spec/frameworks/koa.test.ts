// Koa with koa-passport and koa-session: the README's recipe (./apps.ts), end to end.
import { startKoa } from './apps';
import { bodyUnreadableFault, formPostFlow, frameworkFlow } from './flow';

frameworkFlow('Koa 3 + koa-passport 6 + koa-session 7', startKoa());
// Koa parses no body itself: the strategy reads the form; with @koa/bodyparser, it takes the parsed one.
formPostFlow('Koa 3 + koa-passport 6', startKoa());
formPostFlow('Koa 3 + koa-passport 6 + @koa/bodyparser 6', startKoa({ bodyParser: true }));
bodyUnreadableFault('Koa 3 + koa-passport 6', startKoa({ drainBody: true }));
