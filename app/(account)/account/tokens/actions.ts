'use server';
import { revalidatePath } from 'next/cache';
import { z } from 'zod';
import { runAction, validatedAction } from '@/lib/actions/validated-action';
import { createPersonalTokenSchema } from '@/lib/personal-tokens/personal-tokens.schema';
import { createPersonalToken, deletePersonalToken, revokePersonalToken } from '@/lib/personal-tokens/personal-tokens.service';

const everyone = ['admin', 'publisher', 'subscriber'] as const;

/** The one time a token leaves the server: shown in a dialog, never kept in the page. */
export interface RevealedToken {
  name: string;
  token: string;
}

export const createPersonalTokenAction = validatedAction({ schema: createPersonalTokenSchema, roles: [...everyone] }, async (input, actor) => {
  const { token, view } = await createPersonalToken(actor, input);
  revalidatePath('/account/tokens');
  return { status: 'success', message: `Created the token "${view.name}".`, data: { name: view.name, token } satisfies RevealedToken };
});

export async function revokePersonalTokenAction(tokenId: string) {
  return runAction([...everyone], async (actor) => {
    await revokePersonalToken(actor, z.uuid().parse(tokenId));
    revalidatePath('/account/tokens');
  });
}

export async function deletePersonalTokenAction(tokenId: string) {
  return runAction([...everyone], async (actor) => {
    await deletePersonalToken(actor, z.uuid().parse(tokenId));
    revalidatePath('/account/tokens');
  });
}
