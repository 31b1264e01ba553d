import { DocumentationForm } from '@/components/publisher/documentation-form';
import { apiDocumentationForPublisher } from '@/lib/apis/api-documentation.service';
import { actorForPage } from '@/lib/auth/session';
import { saveDocumentationAction } from '../actions';

export default async function DocumentationPage({ params }: { params: Promise<{ apiId: string }> }) {
  const { apiId } = await params;
  const actor = await actorForPage(['publisher'], `/publisher/apis/${apiId}/documentation`);
  const { markdown } = await apiDocumentationForPublisher(actor, apiId);
  return <DocumentationForm action={saveDocumentationAction} apiId={apiId} markdown={markdown} />;
}
