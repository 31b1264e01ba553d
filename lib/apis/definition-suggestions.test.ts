import { describe, expect, it } from 'vitest';
import { apiContextSchema, apiNameSchema, apiVersionSchema } from './apis.schema';
import { suggestedApiIdentity } from './definition-suggestions';

describe('name, version and context proposed from a definition', () => {
  it('takes the title, the version and the first server path, without the version the gateway adds', () => {
    expect(suggestedApiIdentity({ title: 'Swagger Petstore', version: '1.0.0', firstServerUrl: 'https://petstore.example.com/pets/v1' })).toEqual({
      name: 'Swagger Petstore',
      version: '1.0.0',
      context: '/pets/v1',
    });
    expect(suggestedApiIdentity({ title: 'Orders', version: 'v2', firstServerUrl: 'https://api.example.com/shop/orders/v2/' })).toEqual({ name: 'Orders', version: 'v2', context: '/shop/orders' });
    expect(suggestedApiIdentity({ title: 'Relative', version: '3', firstServerUrl: '/relative/base' }).context).toBe('/relative/base');
  });

  it('makes a context from the title when the server has no plain path', () => {
    expect(suggestedApiIdentity({ title: 'GitHub v3 REST API', version: '1.1.4', firstServerUrl: 'https://api.github.com' }).context).toBe('/github-v3-rest-api');
    expect(suggestedApiIdentity({ title: 'Pet Store', version: '1', firstServerUrl: 'https://{region}.example.com/{base}' }).context).toBe('/pet-store');
    expect(suggestedApiIdentity({ title: 'Pet Store', version: '1' }).context).toBe('/pet-store');
  });

  it('proposes only what the form accepts, and leaves empty what cannot be made acceptable', () => {
    const hostile = [
      { title: '<script>alert(1)</script> Ünïcode API — “quoted”', version: '1.0 beta (rc)', firstServerUrl: 'https://x.test/A B/../c?d#e' },
      { title: '', version: '', firstServerUrl: '' },
      { title: '///', version: '...', firstServerUrl: '/health' },
      { title: 'x'.repeat(500), version: 'y'.repeat(500), firstServerUrl: `/${'z'.repeat(500)}` },
      { title: 'Metrics', version: '1', firstServerUrl: '/metrics/v1' },
    ];
    for (const input of hostile) {
      const { name, version, context } = suggestedApiIdentity(input);
      if (name) expect(apiNameSchema.safeParse(name).success, name).toBe(true);
      if (version) expect(apiVersionSchema.safeParse(version).success, version).toBe(true);
      if (context) expect(apiContextSchema.safeParse(context).success, context).toBe(true);
    }
    expect(suggestedApiIdentity(hostile[0]!)).toEqual({ name: 'script alert 1 script n code API quoted', version: '1.0-beta-rc', context: '/a-b/c' });
    expect(suggestedApiIdentity(hostile[2]!)).toEqual({ name: '', version: '', context: '' });
    expect(suggestedApiIdentity(hostile[4]!).context).toBe('');
  });
});
