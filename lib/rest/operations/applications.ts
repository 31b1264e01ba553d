import { z } from 'zod';
import { applicationInputSchema, keySettingsSchema, keyTypeSchema } from '../../applications/applications.schema';
import {
  createApplication,
  deleteApplication,
  generateAccessTokenForApplication,
  generateApplicationKeys,
  getApplication,
  listApplications,
  regenerateConsumerSecret,
  updateApplication,
  updateKeySettings,
} from '../../applications/applications.service';
import { notFound } from '../../errors';
import { subscribeSchema } from '../../subscriptions/subscriptions.schema';
import { listSubscriptionsOfApplication, subscribe, unsubscribe } from '../../subscriptions/subscriptions.service';
import { API_PREFIX, defineOperation } from '../operation';
import { accessToken, application, applicationSubscription, asJson, generatedCredentials, pageLinks, pageOf, pageOfList, pageQuery, applicationKey } from '../resources';

const tag = 'Applications';
const appParams = z.object({ applicationId: z.string() });
const applicationBody = applicationInputSchema.strict().meta({ id: 'ApplicationWrite' });
const keySettingsBody = keySettingsSchema.strict().meta({ id: 'KeySettings' });
/** WSO2's key types: each application has a production and a sandbox pair; absent means production, as before key types. */
const keyTypeQuery = z.object({
  keyType: keyTypeSchema.default('PRODUCTION').meta({ description: 'PRODUCTION (default) or SANDBOX: tokens of sandbox keys reach the sandbox endpoints of APIs.' }),
});

export const listApplicationsOperation = defineOperation({
  operationId: 'listApplications',
  method: 'get',
  path: '/applications',
  tag,
  summary: 'Your applications',
  scope: 'applications:read',
  query: pageQuery,
  responses: { 200: { description: 'A page of applications.', schema: pageOf(application, 'ApplicationPage') } },
  async handle({ actor, query, request }) {
    const page = pageOfList(asJson(await listApplications(actor)) as unknown[], query);
    return { body: page, headers: pageLinks(request, page) };
  },
});

export const createApplicationOperation = defineOperation({
  operationId: 'createApplication',
  method: 'post',
  path: '/applications',
  tag,
  summary: 'Create an application',
  scope: 'applications:write',
  body: applicationBody,
  errors: [409, 415],
  responses: { 201: { description: 'Created.', schema: application, headers: { Location: 'The new application.' } } },
  async handle({ actor, body }) {
    const created = await createApplication(actor, body);
    return { status: 201, body: asJson(created), headers: { Location: `${API_PREFIX}/applications/${created.id}` } };
  },
});

export const getApplicationOperation = defineOperation({
  operationId: 'getApplication',
  method: 'get',
  path: '/applications/{applicationId}',
  tag,
  summary: 'One of your applications, with its production key (never the secret)',
  scope: 'applications:read',
  params: appParams,
  responses: { 200: { description: 'The application.', schema: application } },
  async handle({ actor, params }) {
    return { body: asJson(await getApplication(actor, params.applicationId)) };
  },
});

export const updateApplicationOperation = defineOperation({
  operationId: 'updateApplication',
  method: 'put',
  path: '/applications/{applicationId}',
  tag,
  summary: 'Rename an application, or change its description or tier',
  scope: 'applications:write',
  params: appParams,
  body: applicationBody,
  errors: [409, 415],
  responses: { 200: { description: 'The application as saved.', schema: application } },
  async handle({ actor, params, body }) {
    return { body: asJson(await updateApplication(actor, params.applicationId, body)) };
  },
});

export const deleteApplicationOperation = defineOperation({
  operationId: 'deleteApplication',
  method: 'delete',
  path: '/applications/{applicationId}',
  tag,
  summary: 'Delete an application with its keys and subscriptions',
  scope: 'applications:write',
  params: appParams,
  responses: { 204: { description: 'Deleted; gateways refuse its tokens within seconds.' } },
  async handle({ actor, params }) {
    await deleteApplication(actor, params.applicationId);
    return { status: 204 };
  },
});

export const generateKeysOperation = defineOperation({
  operationId: 'generateApplicationKeys',
  method: 'post',
  path: '/applications/{applicationId}/keys',
  tag,
  summary: 'Generate the consumer key and secret of a key type (production unless keyType=SANDBOX)',
  description: 'The secret is in this answer only; store it. Token validity is capped by the platform’s maximum.',
  scope: 'applications:write',
  params: appParams,
  query: keyTypeQuery,
  body: keySettingsBody,
  errors: [409, 415],
  responses: { 201: { description: 'The key and, this once, the secret.', schema: generatedCredentials } },
  async handle({ actor, params, query, body }) {
    return { status: 201, body: asJson(await generateApplicationKeys(actor, params.applicationId, body, query.keyType)) };
  },
});

export const updateKeySettingsOperation = defineOperation({
  operationId: 'updateApplicationKeys',
  method: 'put',
  path: '/applications/{applicationId}/keys',
  tag,
  summary: 'Change token validity or type for tokens issued from now on',
  scope: 'applications:write',
  params: appParams,
  query: keyTypeQuery,
  body: keySettingsBody,
  errors: [415],
  responses: { 200: { description: 'The key as saved.', schema: applicationKey } },
  async handle({ actor, params, query, body }) {
    return { body: asJson(await updateKeySettings(actor, params.applicationId, body, query.keyType)) };
  },
});

export const regenerateSecretOperation = defineOperation({
  operationId: 'regenerateApplicationSecret',
  method: 'post',
  path: '/applications/{applicationId}/keys/secret',
  tag,
  summary: 'A new consumer secret (the old one stops working at once)',
  scope: 'applications:write',
  params: appParams,
  query: keyTypeQuery,
  responses: { 200: { description: 'The key and, this once, the new secret.', schema: generatedCredentials } },
  async handle({ actor, params, query }) {
    return { body: asJson(await regenerateConsumerSecret(actor, params.applicationId, query.keyType)) };
  },
});

export const generateAccessTokenOperation = defineOperation({
  operationId: 'generateApplicationAccessToken',
  method: 'post',
  path: '/applications/{applicationId}/tokens',
  tag,
  summary: 'An access token for the application, as the token endpoint would issue it',
  scope: 'applications:write',
  params: appParams,
  query: keyTypeQuery,
  responses: { 200: { description: 'The token.', schema: accessToken } },
  async handle({ actor, params, query }) {
    return { body: await generateAccessTokenForApplication(actor, params.applicationId, query.keyType) };
  },
});

export const listApplicationSubscriptionsOperation = defineOperation({
  operationId: 'listApplicationSubscriptions',
  method: 'get',
  path: '/applications/{applicationId}/subscriptions',
  tag,
  summary: "An application's subscriptions",
  scope: 'applications:read',
  params: appParams,
  query: pageQuery,
  responses: { 200: { description: 'A page of subscriptions.', schema: pageOf(applicationSubscription, 'ApplicationSubscriptionPage') } },
  async handle({ actor, params, query, request }) {
    const page = pageOfList(asJson(await listSubscriptionsOfApplication(actor, params.applicationId)) as unknown[], query);
    return { body: page, headers: pageLinks(request, page) };
  },
});

export const subscribeOperation = defineOperation({
  operationId: 'subscribeApplication',
  method: 'post',
  path: '/applications/{applicationId}/subscriptions',
  tag,
  summary: 'Subscribe the application to a published API at one of its tiers',
  description: 'Private APIs, and public ones whose publisher asks for approval, answer with status ON_HOLD until a publisher approves.',
  scope: 'applications:write',
  params: appParams,
  body: subscribeSchema.omit({ applicationId: true }).strict().meta({ id: 'SubscriptionRequest' }),
  errors: [409, 415],
  responses: { 201: { description: 'Subscribed (or waiting for approval).', schema: applicationSubscription } },
  async handle({ actor, params, body }) {
    return { status: 201, body: asJson(await subscribe(actor, { applicationId: params.applicationId, ...body })) };
  },
});

export const unsubscribeOperation = defineOperation({
  operationId: 'unsubscribeApplication',
  method: 'delete',
  path: '/applications/{applicationId}/subscriptions/{subscriptionId}',
  tag,
  summary: 'Remove a subscription of the application',
  scope: 'applications:write',
  params: z.object({ applicationId: z.string(), subscriptionId: z.string() }),
  responses: { 204: { description: 'Removed; gateways refuse tokens carrying it within seconds.' } },
  async handle({ actor, params }) {
    const own = await listSubscriptionsOfApplication(actor, params.applicationId);
    if (!own.some((s) => s.id === params.subscriptionId)) throw notFound('That subscription');
    await unsubscribe(actor, params.subscriptionId);
    return { status: 204 };
  },
});

export const applicationOperations = [
  listApplicationsOperation,
  createApplicationOperation,
  getApplicationOperation,
  updateApplicationOperation,
  deleteApplicationOperation,
  generateKeysOperation,
  updateKeySettingsOperation,
  regenerateSecretOperation,
  generateAccessTokenOperation,
  listApplicationSubscriptionsOperation,
  subscribeOperation,
  unsubscribeOperation,
];
