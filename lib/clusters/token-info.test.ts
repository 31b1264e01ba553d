import { describe, expect, it } from 'vitest';
import { describeServiceAccountToken } from './token-info';

const SEED_TOKEN =
  'eyJhbGciOiJSUzI1NiIsImtpZCI6Ijg2UlYySEFkaVBOVG4zZ3FhWERXQUxQVUQ0bjlzOXE3dFhpbUZNZlFiRjQifQ.eyJpc3MiOiJrdWJlcm5ldGVzL3NlcnZpY2VhY2NvdW50Iiwia3ViZXJuZXRlcy5pby9zZXJ2aWNlYWNjb3VudC9uYW1lc3BhY2UiOiJ3c28yIiwia3ViZXJuZXRlcy5pby9zZXJ2aWNlYWNjb3VudC9zZWNyZXQubmFtZSI6IndzbzJhbS1wYXR0ZXJuLTEtc3ZjLWFjY291bnQtdG9rZW4tZGR0OTkiLCJrdWJlcm5ldGVzLmlvL3NlcnZpY2VhY2NvdW50L3NlcnZpY2UtYWNjb3VudC5uYW1lIjoid3NvMmFtLXBhdHRlcm4tMS1zdmMtYWNjb3VudCIsImt1YmVybmV0ZXMuaW8vc2VydmljZWFjY291bnQvc2VydmljZS1hY2NvdW50LnVpZCI6Ijc3NmRmMjFkLTA3NjItNDM2Zi05ZDIwLTZlYzFkODMxYzc1NSIsInN1YiI6InN5c3RlbTpzZXJ2aWNlYWNjb3VudDp3c28yOndzbzJhbS1wYXR0ZXJuLTEtc3ZjLWFjY291bnQifQ.YwlSgnSnwS7BNP0q0iDHsjlq_r3RhobG-SrduuEi35VXNfipPsK3UVJcCBmDKQOzKAxRG9415h2pr3cS-QsM6PR_UU2UWlXiUO-3UtSMqVY48Ek_1wdfmfCkiE7IOeua_58CV15tXtMLom0Oh27nkmWGfTHVvImQnqho4nv26BKZH4vKWgkw0HpMt73KHdN6SlVMK0cynktO5H-2A4V2rh-uL-OUXCLON_sBypVoPc9PAMxHo-bUe0SqBPiM0SiALu-0-J6dBcwbzPb5g-yUZmHmtuw3O32C304Hgfr-4Dui3X5DSKBSeqlrjjjfrvMVNug0J4JKk3bJ56h0OgujFw';

const base64url = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
const tokenExpiringAt = (date: Date) =>
  `${base64url({ alg: 'RS256' })}.${base64url({ sub: 'system:serviceaccount:privatejet:privatejet', exp: Math.floor(date.getTime() / 1000) })}.c2lnbmF0dXJl`;

const now = new Date('2030-01-01T00:00:00Z');
const days = (n: number) => new Date(now.getTime() + n * 24 * 60 * 60 * 1000);

describe('describeServiceAccountToken', () => {
  it("reads the seed's legacy Secret token: set, with a subject and no expiry", () => {
    expect(describeServiceAccountToken(SEED_TOKEN, now)).toEqual({
      set: true,
      expired: false,
      expiresSoon: false,
      subject: 'system:serviceaccount:wso2:wso2am-pattern-1-svc-account',
    });
  });

  it('reads the expiry of a token from "kubectl create token"', () => {
    expect(describeServiceAccountToken(tokenExpiringAt(days(30)), now)).toEqual({
      set: true,
      expiresAt: days(30),
      expired: false,
      expiresSoon: false,
      subject: 'system:serviceaccount:privatejet:privatejet',
    });
    expect(describeServiceAccountToken(tokenExpiringAt(days(3)), now)).toMatchObject({ expired: false, expiresSoon: true });
    expect(describeServiceAccountToken(tokenExpiringAt(days(-1)), now)).toMatchObject({ expired: true, expiresSoon: false });
  });

  it('calls an empty token unset and any other text set', () => {
    expect(describeServiceAccountToken('', now)).toEqual({ set: false, expired: false, expiresSoon: false });
    expect(describeServiceAccountToken(undefined, now)).toEqual({ set: false, expired: false, expiresSoon: false });
    expect(describeServiceAccountToken('opaque-token-value', now)).toEqual({ set: true, expired: false, expiresSoon: false });
    expect(describeServiceAccountToken('a.b.c', now)).toEqual({ set: true, expired: false, expiresSoon: false });
  });

  it('never returns the token', () => {
    const token = tokenExpiringAt(days(1));
    const shown = JSON.stringify(describeServiceAccountToken(token, now));
    for (const part of token.split('.')) expect(shown).not.toContain(part);
    expect(JSON.stringify(describeServiceAccountToken(SEED_TOKEN, now))).not.toContain(SEED_TOKEN.split('.')[2]);
  });
});
