/**
 * The platform's own tenant (WSO2's `carbon.super`): its users sign in without `@tenant`, its
 * admins administer the platform, and deployment.toml's clusters are its clusters. A leaf, so
 * sign-in, tenants, clusters and the endpoint policy name it without depending on one another.
 */
export const SUPER_TENANT = 'carbon.super';
