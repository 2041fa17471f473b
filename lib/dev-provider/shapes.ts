// Which file plays which shape: one line per shape.
import { freshworks } from './freshworks';
import type { DevProviderShape } from './options';
import { puavo } from './puavo';
import type { Shape } from './shape';
import { thinkific } from './thinkific';
import { wso2 } from './wso2';
import { zendesk } from './zendesk';

export const SHAPES: Readonly<Record<DevProviderShape, Shape>> = { puavo, wso2, zendesk, freshworks, thinkific };
