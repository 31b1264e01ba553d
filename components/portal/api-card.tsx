'use client';
import Card from '@mui/material/Card';
import CardActionArea from '@mui/material/CardActionArea';
import CardContent from '@mui/material/CardContent';
import Chip from '@mui/material/Chip';
import Stack from '@mui/material/Stack';
import Typography from '@mui/material/Typography';
import Link from 'next/link';
import type { CatalogItem } from '@/lib/portal/catalog.service';
import { InitialsAvatar } from './initials-avatar';

export function ApiCard({ api, href }: { api: CatalogItem; href: string }) {
  return (
    <Card variant="outlined" sx={{ height: '100%' }} data-testid={`api-card-${api.name}`}>
      <CardActionArea component={Link} href={href} sx={{ height: '100%', alignItems: 'flex-start' }} aria-label={`${api.name} ${api.version}`}>
        <CardContent>
          <Stack spacing={1.5}>
            <Stack direction="row" spacing={1.5} sx={{ alignItems: 'center' }}>
              <InitialsAvatar name={api.name} />
              <div>
                <Typography variant="h3" component="h2" sx={{ fontSize: '1.1rem', fontWeight: 600 }}>
                  {api.name}
                </Typography>
                <Typography variant="body2" color="text.secondary">
                  {api.version} · {api.context}
                </Typography>
              </div>
            </Stack>
            {api.description && (
              <Typography variant="body2" color="text.secondary" sx={{ display: '-webkit-box', WebkitLineClamp: 3, WebkitBoxOrient: 'vertical', overflow: 'hidden' }}>
                {api.description}
              </Typography>
            )}
            <Stack direction="row" spacing={0.5} useFlexGap sx={{ flexWrap: 'wrap' }}>
              {api.deprecated && <Chip size="small" color="warning" label="Deprecated" />}
              {api.visibility === 'private' && <Chip size="small" label="Private" />}
              {api.tags.map((tag) => (
                <Chip key={tag} size="small" variant="outlined" label={tag} />
              ))}
            </Stack>
          </Stack>
        </CardContent>
      </CardActionArea>
    </Card>
  );
}
