import type { ReactNode } from 'react';
import { SurfaceLayout } from '@/components/shell/surface-layout';
import { signOutAction } from '@/app/(auth)/actions';
import { hasRole } from '@/lib/actor';
import { currentActor } from '@/lib/auth/session';

/** A person's own settings, shown in the surface their roles make home. */
export default async function AccountLayout({ children }: { children: ReactNode }) {
  const actor = await currentActor();
  const surfaceId = hasRole(actor, 'admin') ? 'admin' : hasRole(actor, 'publisher') ? 'publisher' : 'portal';
  return <SurfaceLayout surfaceId={surfaceId} signOut={signOutAction}>{children}</SurfaceLayout>;
}
