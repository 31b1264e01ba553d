import { readFileSync } from 'node:fs';
import { RequestAuthenticator } from './auth/request-authenticator';
import { apiBasePath, type GatewayConfig } from './config';
import { CorsPolicy } from './cors';
import { RouteTable } from './routes';
import type { UpstreamPools, UpstreamTarget } from './upstream-proxy';
import type { EventLogger } from './access-log';

/** Everything derived from one config, compiled once so requests only look things up. */
export interface GatewayRuntime {
  config: GatewayConfig;
  basePath: string;
  routes: RouteTable;
  authenticator: RequestAuthenticator;
  cors: CorsPolicy;
  nextTarget: () => UpstreamTarget;
}

export interface RuntimeDependencies {
  upstreams: UpstreamPools;
  logEvent: EventLogger;
  jwksMinRefreshIntervalMs?: number;
}

export function compileRuntime(config: GatewayConfig, dependencies: RuntimeDependencies): GatewayRuntime {
  const oauth2 = config.security.oauth2;
  const oauth2ClientSecret = oauth2?.enabled && oauth2.clientSecretFile
    ? readFileSync(oauth2.clientSecretFile, 'utf8').trim()
    : oauth2?.clientSecret;
  const targets = config.endpoints.production.map((endpoint) => dependencies.upstreams.targetFor(endpoint, config.limits.connectTimeoutMs));
  let nextTargetIndex = 0;
  return {
    config,
    basePath: apiBasePath(config),
    routes: new RouteTable(config.openapi.paths),
    authenticator: new RequestAuthenticator(config, {
      oauth2ClientSecret,
      onEvent: dependencies.logEvent,
      minRefreshIntervalMs: dependencies.jwksMinRefreshIntervalMs,
    }),
    cors: new CorsPolicy(config.cors),
    // Round robin over the production endpoints.
    nextTarget: targets.length === 1
      ? () => targets[0]!
      : () => targets[(nextTargetIndex = (nextTargetIndex + 1) % targets.length)]!,
  };
}
