/**
 * The CLI's HTTP client for the portal's REST API (/api/v1). Errors come back as RFC 9457
 * problem details; they are raised as ApiProblem so commands can point at the file line a
 * problem's JSON Pointer names.
 */

export interface ProblemError {
  pointer?: string;
  parameter?: string;
  header?: string;
  detail: string;
}

export interface ProblemBody {
  type?: string;
  title?: string;
  status: number;
  detail?: string;
  errors?: ProblemError[];
  appliedChanges?: { field: string; summary: string }[];
  requiredScope?: string;
}

/** A refusal or failure reported by the portal. */
export class ApiProblem extends Error {
  constructor(readonly problem: ProblemBody) {
    super(problem.detail ?? problem.title ?? `HTTP ${problem.status}`);
    this.name = 'ApiProblem';
  }
}

/** Something the CLI itself refuses (usage, files, configuration): one message, exit code 2 or 1. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

export interface ApiResponse<T> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

export class PortalClient {
  constructor(
    readonly baseUrl: string,
    private readonly token: string,
  ) {}

  /** `path` is under /api/v1; `timeoutMs` bounds the whole exchange. */
  async request<T = unknown>(method: string, path: string, options: { body?: unknown; headers?: Record<string, string>; timeoutMs?: number } = {}): Promise<ApiResponse<T>> {
    const url = `${this.baseUrl.replace(/\/+$/, '')}/api/v1${path}`;
    const headers: Record<string, string> = { authorization: `Bearer ${this.token}`, accept: 'application/json, application/problem+json, application/yaml', ...options.headers };
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    let response: Response;
    try {
      response = await fetch(url, {
        method,
        headers,
        body: options.body === undefined ? undefined : JSON.stringify(options.body),
        signal: AbortSignal.timeout(options.timeoutMs ?? 120_000),
      });
    } catch (error) {
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      const why = (error as Error).name === 'TimeoutError' ? 'no answer in time' : (cause?.code ?? cause?.message ?? (error as Error).message);
      throw new CliError(`Cannot reach the portal at ${this.baseUrl} (${why}).`);
    }
    const text = await response.text();
    const type = response.headers.get('content-type') ?? '';
    if (!response.ok) {
      if (type.includes('json')) throw new ApiProblem({ status: response.status, ...(JSON.parse(text) as Omit<ProblemBody, 'status'>) });
      throw new ApiProblem({ status: response.status, detail: `HTTP ${response.status} from ${url}${text ? `: ${text.slice(0, 200)}` : ''}` });
    }
    const body = (type.includes('json') && text ? JSON.parse(text) : text) as T;
    return { status: response.status, headers: response.headers, body, text };
  }
}
