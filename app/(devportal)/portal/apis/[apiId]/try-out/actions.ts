'use server';
import { runAction } from '@/lib/actions/validated-action';
import { generateAccessTokenForApplication } from '@/lib/applications/applications.service';

/** A token for one of the developer's own applications, to call the API from the console. */
export async function generateTryOutTokenAction(applicationId: string) {
  return runAction(['subscriber'], (actor) => generateAccessTokenForApplication(actor, applicationId));
}
