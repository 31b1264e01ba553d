import type { ReactNode } from 'react';
import { SurfaceLayout } from '@/components/shell/surface-layout';

export default function PortalLayout({ children }: { children: ReactNode }) {
  return <SurfaceLayout surfaceId="portal">{children}</SurfaceLayout>;
}
