import type { ReactNode } from 'react';
import { formatSignInIdentifier } from '@/lib/auth/identity';
import { currentActor } from '@/lib/auth/session';
import { surfacesFor, type SurfaceId } from '@/lib/surfaces';
import { AppShell } from './app-shell';

/**
 * Server half of the shell: who is signed in and which surfaces they may open. The sign-out
 * action comes from the layout, as every component receives its actions from app/.
 */
export async function SurfaceLayout({
  surfaceId,
  tenantLabel,
  signOut,
  children,
}: {
  surfaceId: SurfaceId;
  tenantLabel?: ReactNode;
  signOut: () => Promise<void>;
  children: ReactNode;
}) {
  const actor = await currentActor();
  const user = actor && {
    displayName: actor.displayName,
    identifier: formatSignInIdentifier(actor),
    tenantDomain: actor.tenantDomain,
    roles: actor.roles,
  };
  return (
    <AppShell surfaceId={surfaceId} surfaces={surfacesFor(actor)} user={user} tenantLabel={tenantLabel} signOut={signOut}>
      {children}
    </AppShell>
  );
}
