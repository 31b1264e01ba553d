import { expect, it } from 'vitest';
import { rateLimitNote } from './deployments.service';

it("states each replica's share of a tier's rate, and nothing for unlimited or open APIs", () => {
  expect(rateLimitNote(['Gold', 'Bronze'], true, 2)).toBe(
    "Each of 2 gateway replicas enforces 1/2 of a tier's rate: Gold 2500/min, Bronze 500/min per application and replica.",
  );
  expect(rateLimitNote(['Gold'], true, 1)).toBe("One gateway replica enforces each tier's full rate: Gold 5000/min per application.");
  expect(rateLimitNote(['Silver'], true, 3, 6)).toMatch(/Silver 667\/min per application and replica \(autoscaled up to 6;/);
  expect(rateLimitNote(['Unlimited'], true, 2)).toBeNull();
  expect(rateLimitNote(['Gold'], false, 2)).toBeNull();
});
