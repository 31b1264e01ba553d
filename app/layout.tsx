import InitColorSchemeScript from '@mui/material/InitColorSchemeScript';
import { AppRouterCacheProvider } from '@mui/material-nextjs/v16-appRouter';
import type { Metadata } from 'next';
import { headers } from 'next/headers';
import type { ReactNode } from 'react';
import { Providers } from '@/components/providers';

export const metadata: Metadata = {
  title: { default: 'PrivateJet', template: '%s · PrivateJet' },
  description: 'Publish APIs, each with its own dedicated gateway in the clusters you choose.',
};

export default async function RootLayout({ children }: { children: ReactNode }) {
  // The CSP nonce of this request (proxy.ts). Reading it also renders every page per request,
  // which a nonce needs: a page prerendered at build time would carry none.
  const nonce = (await headers()).get('x-nonce') ?? undefined;
  return (
    <html lang="en" suppressHydrationWarning>
      <body>
        <InitColorSchemeScript attribute="class" nonce={nonce} />
        <AppRouterCacheProvider options={{ enableCssLayer: true }}>
          <Providers>{children}</Providers>
        </AppRouterCacheProvider>
      </body>
    </html>
  );
}
