import type { ReactNode } from 'react';
import { SurfaceLayout } from '@/components/shell/surface-layout';
import { signOutAction } from '@/app/(auth)/actions';
import { actorForPage } from '@/lib/auth/session';

export default async function AdminLayout({ children }: { children: ReactNode }) {
  await actorForPage(['admin'], '/admin/users');
  return <SurfaceLayout surfaceId="admin" signOut={signOutAction}>{children}</SurfaceLayout>;
}
