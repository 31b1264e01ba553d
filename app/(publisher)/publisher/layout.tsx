import type { ReactNode } from 'react';
import { SurfaceLayout } from '@/components/shell/surface-layout';
import { signOutAction } from '@/app/(auth)/actions';
import { actorForPage } from '@/lib/auth/session';

export default async function PublisherLayout({ children }: { children: ReactNode }) {
  await actorForPage(['publisher'], '/publisher');
  return <SurfaceLayout surfaceId="publisher" signOut={signOutAction}>{children}</SurfaceLayout>;
}
