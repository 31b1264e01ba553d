import { z } from 'zod';
import { KNOWN_PROPERTIES } from './cluster-definition';
import type { ClusterFormInput } from './clusters.service';

const text = z.string().max(20_000, 'That value is too long.');

/**
 * The admin form's edge validation: only shapes and sizes. What the values mean (URLs,
 * DNS-1123 names, replicas) is checked by the one cluster validation in cluster.schema.ts,
 * so the form, the JSON view and deployment.toml give the same answers.
 */
export const clusterFormSchema = z
  .record(z.string(), z.union([text, z.array(text)]))
  .transform((fields, ctx): ClusterFormInput => {
    const single = (name: string): string => {
      const value = fields[name];
      return typeof value === 'string' ? value : '';
    };
    let extra: Record<string, unknown> = {};
    try {
      const parsed: unknown = JSON.parse(single('extra') || '{}');
      if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) extra = parsed as Record<string, unknown>;
    } catch {
      ctx.addIssue({ code: 'custom', message: 'Unreadable extra properties.', path: ['extra'] });
    }
    const properties: Record<string, string> = {};
    for (const name of KNOWN_PROPERTIES) properties[name] = single(`properties.${name}`);
    if (fields['properties.InsecureSkipTLSVerify'] === undefined) delete properties.InsecureSkipTLSVerify;
    return {
      originalName: single('originalName') || undefined,
      type: single('type'),
      clusterName: single('clusterName'),
      displayName: single('displayName'),
      properties,
      extra,
    };
  });
