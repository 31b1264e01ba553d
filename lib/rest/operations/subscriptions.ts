import { z } from 'zod';
import { decideSubscriptionSchema } from '../../subscriptions/subscriptions.schema';
import { decideSubscription, listSubscribersOfApi } from '../../subscriptions/subscriptions.service';
import { defineOperation } from '../operation';
import { apiSubscriber, asJson, pageLinks, pageOf, pageOfList, pageQuery } from '../resources';

const tag = 'Subscriptions';

export const listApiSubscribersOperation = defineOperation({
  operationId: 'listApiSubscriptions',
  method: 'get',
  path: '/apis/{apiId}/subscriptions',
  tag,
  summary: "An API's subscriptions, as its publisher sees them",
  description: 'Requests waiting for approval come first.',
  scope: 'subscriptions:read',
  params: z.object({ apiId: z.string() }),
  query: pageQuery,
  responses: { 200: { description: 'A page of subscriptions.', schema: pageOf(apiSubscriber, 'ApiSubscriberPage') } },
  async handle({ actor, params, query, request }) {
    const page = pageOfList(asJson(await listSubscribersOfApi(actor, params.apiId)) as unknown[], query);
    return { body: page, headers: pageLinks(request, page) };
  },
});

export const decideSubscriptionOperation = defineOperation({
  operationId: 'decideSubscription',
  method: 'post',
  path: '/subscriptions/{subscriptionId}/decision',
  tag,
  summary: 'Approve, reject, block or unblock a subscription',
  description: 'approve: a waiting (or rejected) request; reject: a waiting one; block: an active one; unblock: a blocked one. A block reaches running gateways within seconds.',
  scope: 'subscriptions:manage',
  params: z.object({ subscriptionId: z.string() }),
  body: decideSubscriptionSchema.pick({ decision: true }).strict().meta({ id: 'SubscriptionDecision' }),
  errors: [409, 415],
  responses: { 200: { description: 'The subscription after the decision.', schema: apiSubscriber } },
  async handle({ actor, params, body }) {
    return { body: asJson(await decideSubscription(actor, params.subscriptionId, body.decision)) };
  },
});

export const subscriptionOperations = [listApiSubscribersOperation, decideSubscriptionOperation];
