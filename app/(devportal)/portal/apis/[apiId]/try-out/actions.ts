'use server';
import { runAction } from '@/lib/actions/validated-action';
import { parseKeyType } from '@/lib/applications/applications.schema';
import { generateAccessTokenForApplication } from '@/lib/applications/applications.service';
import type { KeyType } from '@/lib/key-types';

/** A token of one of the developer's own applications, of its production or sandbox keys, to call the API from the console. */
export async function generateTryOutTokenAction(applicationId: string, keyType: KeyType) {
  return runAction(['subscriber'], (actor) => generateAccessTokenForApplication(actor, applicationId, parseKeyType(keyType)));
}
