import { ApiException } from '@kubernetes/client-node';

/**
 * Every failure of a Kubernetes call, as one of a few kinds a user can act on, with the API
 * server's own message (or the network error) and a hint. Raw client errors stay server-side.
 */

export const KUBE_ERROR_KINDS = [
  'unreachable',
  'timeout',
  'tls',
  'unauthorized',
  'forbidden',
  'not-found',
  'conflict',
  'invalid',
  'other',
] as const;
export type KubeErrorKind = (typeof KUBE_ERROR_KINDS)[number];

/** Safe to send to a browser: no token, no headers. */
export interface KubeErrorInfo {
  kind: KubeErrorKind;
  message: string;
  hint: string;
  /** HTTP status from the API server, when it answered. */
  status?: number;
}

export class KubeError extends Error {
  readonly kind: KubeErrorKind;
  readonly hint: string;
  readonly status?: number;

  constructor(info: KubeErrorInfo, options?: { cause?: unknown }) {
    super(info.message, options);
    this.name = 'KubeError';
    this.kind = info.kind;
    this.hint = info.hint;
    if (info.status !== undefined) this.status = info.status;
  }

  toInfo(): KubeErrorInfo {
    return { kind: this.kind, message: this.message, hint: this.hint, ...(this.status !== undefined ? { status: this.status } : {}) };
  }
}

const HINTS: Record<KubeErrorKind, string> = {
  unreachable: 'Check that MasterURL is right and reachable from the machine that runs this app (firewall, VPN, private endpoint); "kubectl cluster-info" prints it.',
  timeout: 'The API server did not answer in time: is MasterURL reachable from the machine that runs this app (firewall, VPN, private endpoint)?',
  tls: "The API server's certificate could not be verified: set CACert to the cluster's CA (kubeconfig certificate-authority-data), and check that it is the CA of this cluster and that MasterURL's host name is in the certificate.",
  unauthorized: 'The API server rejected the token: it may have expired or been deleted, or belong to another cluster. Create a new one with "kubectl create token" and paste it into SAToken.',
  forbidden: 'The service account lacks a permission: apply the role from the setup guide (deploy/rbac/) and run the connection check again.',
  'not-found': 'The object or its namespace does not exist: check the Namespace property (and, for wso2-api-operator, that the operator is installed).',
  conflict: 'Another writer changed the object at the same time; retrying usually succeeds.',
  invalid: 'The API server rejected the object as invalid; the message names the field.',
  other: 'The API server reported an unexpected error; the message is its own.',
};

/** Node's and OpenSSL's codes for certificate problems. */
const TLS_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_SIGNATURE_FAILURE',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'ERR_SSL_WRONG_VERSION_NUMBER',
  'EPROTO',
]);

const UNREACHABLE_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ECONNRESET', 'EPIPE', 'ERR_INVALID_URL']);
const TIMEOUT_CODES = new Set(['ETIMEDOUT', 'ESOCKETTIMEDOUT', 'UND_ERR_CONNECT_TIMEOUT']);

export function kindForStatus(status: number): KubeErrorKind {
  if (status === 401) return 'unauthorized';
  if (status === 403) return 'forbidden';
  if (status === 404) return 'not-found';
  if (status === 409) return 'conflict';
  if (status === 400 || status === 422) return 'invalid';
  if (status === 408 || status === 504) return 'timeout';
  return 'other';
}

/** Maps anything a Kubernetes call can throw to a {@link KubeError}. */
export function kubeErrorFrom(error: unknown): KubeError {
  if (error instanceof KubeError) return error;
  if (error instanceof ApiException) {
    const status = Number(error.code);
    const kind = kindForStatus(status);
    return new KubeError({ kind, status, message: serverMessage(error.body) ?? defaultStatusMessage(status), hint: HINTS[kind] }, { cause: error });
  }
  const { code, message } = networkFailure(error);
  if (isAbort(error) || (code !== undefined && TIMEOUT_CODES.has(code))) {
    return new KubeError({ kind: 'timeout', message: 'the API server did not answer in time', hint: HINTS.timeout }, { cause: error });
  }
  if (code !== undefined && (TLS_CODES.has(code) || code.startsWith('ERR_SSL_') || code.startsWith('ERR_TLS_'))) {
    return new KubeError({ kind: 'tls', message: `TLS: ${message}`, hint: HINTS.tls }, { cause: error });
  }
  if (code !== undefined && UNREACHABLE_CODES.has(code)) {
    return new KubeError({ kind: 'unreachable', message, hint: HINTS.unreachable }, { cause: error });
  }
  if (/certificate|self[- ]signed|SSL|TLS/i.test(message)) {
    return new KubeError({ kind: 'tls', message: `TLS: ${message}`, hint: HINTS.tls }, { cause: error });
  }
  return new KubeError({ kind: 'other', message, hint: HINTS.other }, { cause: error });
}

/** The `message` of a Kubernetes Status body, whether the client parsed it or kept the text. */
function serverMessage(body: unknown): string | undefined {
  let value = body;
  if (typeof body === 'string') {
    try {
      value = JSON.parse(body);
    } catch {
      return body.trim() === '' ? undefined : body.trim().slice(0, 500);
    }
  }
  if (typeof value === 'object' && value !== null && typeof (value as { message?: unknown }).message === 'string') {
    return (value as { message: string }).message;
  }
  return undefined;
}

function defaultStatusMessage(status: number): string {
  if (status === 401) return 'Unauthorized';
  if (status === 403) return 'Forbidden';
  if (status === 404) return 'Not found';
  return `the API server answered HTTP ${status}`;
}

/** node-fetch wraps system errors in a FetchError that copies `code`; undici puts it on `cause`. */
function networkFailure(error: unknown): { code?: string; message: string } {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current instanceof Error; depth++) {
    const code = (current as NodeJS.ErrnoException).code;
    if (typeof code === 'string' && code !== 'system') return { code, message: messageOf(error) };
    current = (current as { cause?: unknown }).cause;
  }
  return { message: messageOf(error) };
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function isAbort(error: unknown): boolean {
  return error instanceof Error && (error.name === 'AbortError' || error.name === 'TimeoutError' || (error as { type?: string }).type === 'aborted');
}
