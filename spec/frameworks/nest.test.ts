// NestJS on Express with @nestjs/passport: the README's recipe (./apps.ts), end to end.
import { startNest } from './apps';
import { formPostFlow, frameworkFlow } from './flow';

frameworkFlow('NestJS 11 + @nestjs/passport 12 on Express', startNest);
formPostFlow('NestJS 11 + @nestjs/passport 12 on Express', startNest);
