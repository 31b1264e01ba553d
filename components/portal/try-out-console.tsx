'use client';
import 'swagger-ui-react/swagger-ui.css';
import './swagger-ui-overrides.css';
import Alert from '@mui/material/Alert';
import AlertTitle from '@mui/material/AlertTitle';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import LinearProgress from '@mui/material/LinearProgress';
import MenuItem from '@mui/material/MenuItem';
import Paper from '@mui/material/Paper';
import Stack from '@mui/material/Stack';
import TextField from '@mui/material/TextField';
import Typography from '@mui/material/Typography';
import dynamic from 'next/dynamic';
import { useCallback, useEffect, useMemo, useRef, useState, useTransition } from 'react';
import type { ActionState } from '@/lib/actions/validated-action';
import type { SubscriptionStatus } from '@/lib/db/schema';
import type { KeyType } from '@/lib/key-types';
import { TextLink } from '../link-button';
import { TokenExpiry, type IssuedToken } from './access-token-panel';

// Swagger UI touches `window` as it loads, so it renders in the browser only.
const SwaggerUI = dynamic(() => import('swagger-ui-react'), { ssr: false, loading: () => <LinearProgress aria-label="Loading the console" /> });

export interface TryOutGateway {
  clusterName: string;
  displayName: string;
  accessUrl: string;
}

export interface TokenSource {
  applicationId: string;
  applicationName: string;
  hasProductionKeys: boolean;
  hasSandboxKeys: boolean;
  status: SubscriptionStatus;
}


/** Shown beside an application whose tokens the gateway will refuse for this API. */
const statusNote: Record<SubscriptionStatus, { label: string; help: string } | null> = {
  ACTIVE: null,
  BLOCKED: { label: ' (blocked)', help: 'The publisher blocked this subscription: the gateway will refuse its tokens.' },
  ON_HOLD: { label: ' (waiting for approval)', help: 'The publisher has not approved this subscription yet: the gateway will refuse its tokens.' },
  REJECTED: { label: ' (rejected)', help: 'The publisher rejected this subscription: the gateway will refuse its tokens.' },
};

interface SwaggerRequest {
  url: string;
  headers: Record<string, string>;
  [key: string]: unknown;
}

type SetResponse = (path: string, method: string, response: { error?: boolean; err?: { response?: unknown } }) => unknown;

/**
 * The seed's API Console: pick a cluster's gateway, bring a token, call the API from the browser
 * straight to the gateway. Swagger UI keeps its own copy of the config, so the token and the
 * error reporting go through refs that always hold the current values.
 */
/** Past this many operations Swagger UI starts with every tag closed: it renders an operation only when opened. */
const COLLAPSED_FROM_OPERATIONS = 50;

type DefinitionLoad = { state: 'loading' } | { state: 'loaded'; document: Record<string, unknown> } | { state: 'failed'; message: string };

/** Fetches the definition once, after the page has rendered: the page's own payload never carries it. */
function useDefinition(url: string): DefinitionLoad {
  const [load, setLoad] = useState<DefinitionLoad>({ state: 'loading' });
  useEffect(() => {
    let cancelled = false;
    (async () => {
      try {
        const response = await fetch(url, { headers: { accept: 'application/json' } });
        const body = (await response.json()) as Record<string, unknown>;
        if (!response.ok) throw new Error(typeof body.error === 'string' ? body.error : `HTTP ${response.status}`);
        if (!cancelled) setLoad({ state: 'loaded', document: body });
      } catch (error) {
        if (!cancelled) setLoad({ state: 'failed', message: (error as Error).message });
      }
    })();
    return () => {
      cancelled = true;
    };
  }, [url]);
  return load;
}

export function TryOutConsole({
  apiName,
  apiDescription,
  definitionUrl,
  operationCount,
  gateways,
  tokenSources,
  hasSandboxEndpoint,
  signedIn,
  generateToken,
  personalTokens,
}: {
  apiName: string;
  /** The publisher's description, which wins over the definition's own in the header. */
  apiDescription: string;
  /** Where the browser fetches the definition (without backend servers). */
  definitionUrl: string;
  operationCount: number;
  gateways: TryOutGateway[];
  tokenSources: TokenSource[];
  /** Whether the gateways send tokens of sandbox keys anywhere; without one they refuse them. */
  hasSandboxEndpoint: boolean;
  signedIn: boolean;
  generateToken: (applicationId: string, keyType: KeyType) => Promise<ActionState<IssuedToken>>;
  /** The portal's own API: calls carry a personal access token, made on the page this names. */
  personalTokens?: { manageUrl: string };
}) {
  const [clusterName, setClusterName] = useState(gateways[0]?.clusterName ?? '');
  const gateway = gateways.find((g) => g.clusterName === clusterName) ?? gateways[0];
  const [applicationId, setApplicationId] = useState(tokenSources.find((s) => s.hasProductionKeys && s.status === 'ACTIVE')?.applicationId ?? tokenSources[0]?.applicationId ?? '');
  const [keyType, setKeyType] = useState<KeyType>('PRODUCTION');
  const [token, setToken] = useState('');
  const [expiresAt, setExpiresAt] = useState<number | null>(null);
  const [tokenError, setTokenError] = useState<string | null>(null);
  const [unreachableUrl, setUnreachableUrl] = useState<string | null>(null);
  const [pending, startTransition] = useTransition();

  const tokenRef = useRef(token);
  const lastUrlRef = useRef<string | null>(null);
  useEffect(() => {
    tokenRef.current = token;
  }, [token]);

  const definition = useDefinition(definitionUrl);
  const openapi = definition.state === 'loaded' ? definition.document : null;
  const spec = useMemo(() => {
    if (!openapi) return openapi;
    const info = (openapi.info ?? {}) as Record<string, unknown>;
    return {
      ...openapi,
      info: apiDescription ? { ...info, description: apiDescription } : info,
      ...(gateway ? { servers: [{ url: gateway.accessUrl }] } : {}),
    };
  }, [openapi, gateway, apiDescription]);
  const large = operationCount > COLLAPSED_FROM_OPERATIONS;

  const requestInterceptor = useCallback((request: SwaggerRequest) => {
    const bearer = tokenRef.current.trim();
    if (bearer) request.headers = { ...request.headers, Authorization: `Bearer ${bearer}` };
    lastUrlRef.current = request.url;
    setUnreachableUrl(null);
    return request;
  }, []);

  // An HTTP answer (even 401/403/5xx) carries a response; only a request that got none is a network failure.
  const plugins = useMemo(
    () => [
      () => ({
        statePlugins: {
          spec: {
            wrapActions: {
              setResponse: (original: SetResponse) => (path: string, method: string, response: Parameters<SetResponse>[2]) => {
                if (response?.error && !response.err?.response) setUnreachableUrl(lastUrlRef.current ?? 'the gateway');
                return original(path, method, response);
              },
            },
          },
        },
      }),
    ],
    [],
  );

  const source = tokenSources.find((s) => s.applicationId === applicationId);
  const sourceHasKeys = source ? (keyType === 'SANDBOX' ? source.hasSandboxKeys : source.hasProductionKeys) : false;
  const keyTypeName = keyType === 'SANDBOX' ? 'sandbox' : 'production';

  function generate() {
    if (!source) return;
    setTokenError(null);
    startTransition(async () => {
      const result = await generateToken(source.applicationId, keyType);
      if (result.status === 'error' || !result.data) {
        setTokenError(result.message ?? 'No token was issued.');
        return;
      }
      setToken(result.data.access_token);
      setExpiresAt(Date.now() + result.data.expires_in * 1000);
    });
  }

  if (!gateway) {
    return (
      <Alert severity="info">
        {apiName} has no ready gateway in any cluster right now, so there is nothing to call. The API&apos;s overview shows the status of each cluster.
      </Alert>
    );
  }

  return (
    <Stack spacing={3}>
      <Paper sx={{ p: 3 }}>
        <Stack spacing={2}>
          <TextField
            select
            id="try-out-gateway"
            label="Gateway"
            value={gateway.clusterName}
            onChange={(event) => {
              setClusterName(event.target.value);
              setUnreachableUrl(null);
            }}
            helperText={`Requests go from this browser to ${gateway.accessUrl}`}
          >
            {gateways.map((g) => (
              <MenuItem key={g.clusterName} value={g.clusterName}>
                {g.displayName} — {g.accessUrl}
              </MenuItem>
            ))}
          </TextField>

          {personalTokens && (
            <Alert severity="info" data-testid="personal-token-hint">
              This is the portal&apos;s own API: paste a personal access token below (make one under{' '}
              <TextLink href={personalTokens.manageUrl}>Personal access tokens</TextLink> with the scopes the calls need). Calls act as you, in your tenant.
            </Alert>
          )}
          {signedIn &&
            (tokenSources.length > 0 ? (
              <Stack direction={{ xs: 'column', sm: 'row' }} spacing={2} sx={{ alignItems: { sm: 'flex-start' } }}>
                <TextField
                  select
                  id="try-out-application"
                  label="Subscribed application"
                  value={applicationId}
                  onChange={(event) => setApplicationId(event.target.value)}
                  helperText={
                    source && !sourceHasKeys ? (
                      <>
                        This application has no {keyTypeName} keys yet: <TextLink href={`/portal/applications/${source.applicationId}`}>generate them</TextLink>.
                      </>
                    ) : source && statusNote[source.status] ? (
                      statusNote[source.status]!.help
                    ) : (
                      'Generate a token to fill in the field below with one of this application.'
                    )
                  }
                  sx={{ minWidth: 280 }}
                >
                  {tokenSources.map((s) => (
                    <MenuItem key={s.applicationId} value={s.applicationId}>
                      {s.applicationName}
                      {statusNote[s.status]?.label ?? ''}
                    </MenuItem>
                  ))}
                </TextField>
                <TextField
                  select
                  id="try-out-key-type"
                  label="Keys"
                  value={keyType}
                  onChange={(event) => {
                    // A token of the other key type would reach the other backend: start over.
                    setKeyType(event.target.value as KeyType);
                    setToken('');
                    setExpiresAt(null);
                  }}
                  helperText={
                    hasSandboxEndpoint
                      ? keyType === 'SANDBOX'
                        ? "Sandbox tokens reach the API's sandbox endpoint."
                        : "Production tokens reach the API's production endpoint."
                      : 'This API has no sandbox endpoint: only production keys can call it.'
                  }
                  sx={{ minWidth: 200 }}
                >
                  <MenuItem value="PRODUCTION">Production keys</MenuItem>
                  <MenuItem value="SANDBOX" disabled={!hasSandboxEndpoint}>
                    Sandbox keys{hasSandboxEndpoint ? '' : ' (no sandbox endpoint)'}
                  </MenuItem>
                </TextField>
                <Button variant="contained" onClick={generate} disabled={pending || !sourceHasKeys} sx={{ mt: { sm: 1 }, whiteSpace: 'nowrap', flexShrink: 0 }}>
                  {pending ? 'Generating…' : 'Generate token'}
                </Button>
              </Stack>
            ) : (
              <Alert severity="info">
                None of your applications is subscribed to {apiName}. Subscribe one from the API&apos;s overview, or paste a token below.
              </Alert>
            ))}
          {tokenError && <Alert severity="error">{tokenError}</Alert>}
          <Stack spacing={1}>
            <TextField
              id="try-out-token"
              label="Access token"
              value={token}
              onChange={(event) => {
                setToken(event.target.value);
                setExpiresAt(null);
              }}
              placeholder={personalTokens ? 'Paste a personal access token (pjp_…)' : 'Paste an access token, or generate one above'}
              helperText={
                signedIn || personalTokens ? 'Sent as Authorization: Bearer <token> with every request below.' : 'Sent as Authorization: Bearer <token>. Sign in to generate one from your applications.'
              }
              slotProps={{ htmlInput: { spellCheck: false, autoComplete: 'off', style: { fontFamily: 'monospace' } } }}
              fullWidth
            />
            {expiresAt !== null && <TokenExpiry expiresAt={expiresAt} />}
          </Stack>
        </Stack>
      </Paper>

      {unreachableUrl !== null && (
        <Alert severity="error" role="alert" data-testid="gateway-unreachable" onClose={() => setUnreachableUrl(null)}>
          <AlertTitle>The gateway did not answer</AlertTitle>
          No response came back from <code>{unreachableUrl}</code>. The gateway may be unreachable from this browser (network, DNS, or the cluster&apos;s
          access URL), or the browser blocked the call (CORS). Check that the URL opens from this machine.
        </Alert>
      )}

      <Paper sx={{ p: { xs: 0, sm: 1 }, bgcolor: '#fff', color: '#3b4151' }} data-testid="try-out-console">
        {/* Remounted per gateway so Swagger UI takes the new server instead of its remembered selection. */}
        {/* The gateway picker above is the one way to choose a server: Swagger UI's own list is hidden (swagger-ui-overrides.css). */}
        <Box key={gateway.accessUrl} className="try-out-console">
          {definition.state === 'failed' ? (
            <Alert severity="error" role="alert">
              The definition could not be loaded: {definition.message}
            </Alert>
          ) : !spec ? (
            <LinearProgress aria-label="Loading the definition" />
          ) : (
            // Deep links (#/tag/operation) and the tag filter keep a large definition navigable; with
            // many operations every tag starts closed, so only what is opened is rendered.
            <SwaggerUI
              spec={spec}
              requestInterceptor={requestInterceptor as never}
              plugins={plugins}
              docExpansion={large ? 'none' : 'list'}
              deepLinking
              filter
              defaultModelsExpandDepth={-1}
              tryItOutEnabled={false}
            />
          )}
        </Box>
      </Paper>
      <Typography variant="body2" color="text.secondary">
        Calls are real: they reach the API&apos;s backend through the dedicated gateway and count against your tier.
      </Typography>
    </Stack>
  );
}
