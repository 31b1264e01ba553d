import type { ReactNode } from 'react';
import { signOutAction } from '@/app/(auth)/actions';
import { formatSignInIdentifier } from '@/lib/auth/identity';
import { currentActor } from '@/lib/auth/session';
import { surfacesFor, type SurfaceId } from '@/lib/surfaces';
import { AppShell } from './app-shell';

/** Server half of the shell: who is signed in and which surfaces they may open. */
export async function SurfaceLayout({ surfaceId, tenantLabel, children }: { surfaceId: SurfaceId; tenantLabel?: ReactNode; children: ReactNode }) {
  const actor = await currentActor();
  const user = actor && {
    displayName: actor.displayName,
    identifier: formatSignInIdentifier(actor),
    tenantDomain: actor.tenantDomain,
    roles: actor.roles,
  };
  return (
    <AppShell surfaceId={surfaceId} surfaces={surfacesFor(actor)} user={user} tenantLabel={tenantLabel} signOut={signOutAction}>
      {children}
    </AppShell>
  );
}
