import { redirect } from 'next/navigation';
import { currentActor } from '@/lib/auth/session';
import { homePathFor } from '@/lib/surfaces';

export default async function Home() {
  redirect(homePathFor(await currentActor()));
}
