// The shape of the options after checking (resolve.ts makes it).
import type { KeySource } from '../keys/source';
import type { LoginStateStore } from '../login-state/store';
import type { ReplayStore } from '../replay/store';
import type { JwtSsoEvent } from '../events';
import type { AuthParams, ReplayKey } from './values';

/** The options after checking: complete, frozen, secrets turned into keys once. */
export interface ResolvedOptions {
  readonly name: string;
  readonly authEndpoint: string;
  readonly keySource: KeySource;
  readonly issuer: readonly string[] | undefined;
  readonly audience: readonly string[] | undefined;
  readonly requiredClaims: readonly string[] | undefined;
  readonly servicePathPrefix: string | undefined;
  readonly mountPoint: string;
  readonly host: string | undefined;
  readonly scheme: 'http' | 'https' | undefined;
  readonly maxAge: number;
  readonly clockTolerance: number;
  readonly state: boolean;
  readonly stateMaxAge: number;
  readonly loginState: LoginStateStore;
  readonly replayStore: ReplayStore;
  readonly replayKey: ReplayKey;
  readonly numericJti: boolean;
  readonly audienceRequired: boolean;
  readonly tokenParam: string;
  readonly returnToParam: string | false;
  readonly stateParam: string;
  readonly stateIn: 'returnTo' | 'param';
  readonly callbackPath: string | undefined;
  readonly callbackParam: string | undefined;
  readonly responseMode: 'query' | 'form_post';
  readonly nonce: boolean;
  readonly nonceParam: string;
  readonly authParams: AuthParams;
  readonly passReqToCallback: boolean;
  readonly clock: () => number;
  readonly onEvent: ((event: JwtSsoEvent) => void) | undefined;
  readonly logoutEndpoint: string;
  readonly logoutRedirectParam: string | false;
}
