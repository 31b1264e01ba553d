'use client';
import Tab from '@mui/material/Tab';
import Tabs from '@mui/material/Tabs';
import Link from 'next/link';

/** The Overview's documentation views as links (`?doc=…`), so each has its own URL and works without scripts. */
export function DocumentationTabs({ tabs, value }: { tabs: { value: string; label: string; href: string }[]; value: string }) {
  return (
    <Tabs value={value} aria-label="Documentation views">
      {tabs.map((tab) => (
        <Tab key={tab.value} value={tab.value} label={tab.label} component={Link} href={tab.href} scroll={false} />
      ))}
    </Tabs>
  );
}
