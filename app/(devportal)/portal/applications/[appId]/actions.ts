'use server';
import { revalidatePath } from 'next/cache';
import { redirect } from 'next/navigation';
import { z } from 'zod';
import { runAction, validatedAction, type ActionState } from '@/lib/actions/validated-action';
import { applicationInputSchema, keySettingsSchema, keyTypeSchema, parseKeyType } from '@/lib/applications/applications.schema';
import type { KeyType } from '@/lib/key-types';
import {
  deleteApplication,
  generateAccessTokenForApplication,
  generateApplicationKeys,
  regenerateConsumerSecret,
  revokeApplicationTokens,
  updateApplication,
  updateKeySettings,
} from '@/lib/applications/applications.service';
import { unsubscribe } from '@/lib/subscriptions/subscriptions.service';

const applicationId = { applicationId: z.uuid({ error: 'That application was not found.' }) };
/** Which of the application's two key pairs (production or sandbox) a form or button is about. */
const keyTypeField = { keyType: keyTypeSchema.default('PRODUCTION') };
const pageOf = (id: string) => `/portal/applications/${id}`;

/** The one time a consumer secret leaves the server: shown in a dialog, never stored in the browser. */
export interface RevealedCredentials {
  consumerKey: string;
  consumerSecret: string;
}

export const updateApplicationAction = validatedAction(
  { schema: applicationInputSchema.extend(applicationId), roles: ['subscriber'] },
  async ({ applicationId: id, ...input }, actor) => {
    await updateApplication(actor, id, input);
    revalidatePath(pageOf(id));
    return { status: 'success', message: 'Saved. Tokens carry the new tier once they are refreshed.' };
  },
);

export async function deleteApplicationAction(id: string) {
  return runAction(['subscriber'], async (actor) => {
    await deleteApplication(actor, id);
    revalidatePath('/portal', 'layout');
    redirect('/portal/applications');
  });
}

export const generateKeysAction = validatedAction(
  { schema: keySettingsSchema.extend(applicationId).extend(keyTypeField), roles: ['subscriber'] },
  async ({ applicationId: id, keyType, ...settings }, actor): Promise<ActionState<RevealedCredentials>> => {
    const generated = await generateApplicationKeys(actor, id, settings, keyType);
    revalidatePath(pageOf(id));
    return { status: 'success', data: { consumerKey: generated.key.consumerKey, consumerSecret: generated.consumerSecret } };
  },
);

export async function regenerateSecretAction(id: string, keyType: KeyType) {
  return runAction(['subscriber'], async (actor): Promise<RevealedCredentials> => {
    const generated = await regenerateConsumerSecret(actor, id, parseKeyType(keyType));
    return { consumerKey: generated.key.consumerKey, consumerSecret: generated.consumerSecret };
  });
}

export const updateKeySettingsAction = validatedAction(
  { schema: keySettingsSchema.extend(applicationId).extend(keyTypeField), roles: ['subscriber'] },
  async ({ applicationId: id, keyType, ...settings }, actor) => {
    await updateKeySettings(actor, id, settings, keyType);
    revalidatePath(pageOf(id));
    return { status: 'success', message: 'Saved. New tokens use these settings; tokens already issued keep theirs.' };
  },
);

export async function generateAccessTokenAction(id: string, keyType: KeyType) {
  return runAction(['subscriber'], (actor) => generateAccessTokenForApplication(actor, id, parseKeyType(keyType)));
}

export async function revokeTokensAction(id: string) {
  return runAction(['subscriber'], (actor) => revokeApplicationTokens(actor, id));
}

export async function unsubscribeFromApplicationAction(subscriptionId: string) {
  return runAction(['subscriber'], async (actor) => {
    await unsubscribe(actor, subscriptionId);
    revalidatePath('/portal', 'layout');
  });
}
