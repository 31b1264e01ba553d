import type { ReactNode } from 'react';
import { SurfaceLayout } from '@/components/shell/surface-layout';
import { signOutAction } from '@/app/(auth)/actions';

export default function PortalLayout({ children }: { children: ReactNode }) {
  return <SurfaceLayout surfaceId="portal" signOut={signOutAction}>{children}</SurfaceLayout>;
}
