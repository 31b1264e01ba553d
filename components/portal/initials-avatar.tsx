import Avatar from '@mui/material/Avatar';

/** "PetStore" → "PS", "payments api" → "PA": a recognisable mark for an API without a logo. */
export function initialsOf(name: string): string {
  const words = name.trim().split(/[\s_-]+/).filter(Boolean);
  if (words.length > 1) return (words[0]![0]! + words[1]![0]!).toUpperCase();
  const capitals = name.match(/[A-Z]/g);
  if (capitals && capitals.length > 1) return (capitals[0]! + capitals[1]!).toUpperCase();
  return name.slice(0, 2).toUpperCase();
}

export function InitialsAvatar({ name }: { name: string }) {
  return (
    <Avatar variant="rounded" sx={{ bgcolor: 'primary.main', color: 'primary.contrastText', fontWeight: 700 }} aria-hidden>
      {initialsOf(name)}
    </Avatar>
  );
}
