'use client';
import Tab from '@mui/material/Tab';
import Tabs from '@mui/material/Tabs';
import Link from 'next/link';
import { usePathname } from 'next/navigation';

export function ApiTabs({ apiId }: { apiId: string }) {
  const pathname = usePathname();
  const base = `/publisher/apis/${apiId}`;
  const tabs = [
    { href: base, label: 'Overview' },
    { href: `${base}/documentation`, label: 'Documentation' },
    { href: `${base}/environments`, label: 'Environments' },
    { href: `${base}/lifecycle`, label: 'Lifecycle' },
    { href: `${base}/subscriptions`, label: 'Subscriptions' },
    { href: `${base}/traffic`, label: 'Traffic' },
  ];
  const active = tabs.find((t) => t.href !== base && pathname.startsWith(t.href))?.href ?? base;
  return (
    <Tabs value={active} aria-label="API sections">
      {tabs.map((t) => (
        <Tab key={t.href} value={t.href} label={t.label} component={Link} href={t.href} />
      ))}
    </Tabs>
  );
}
