/** The hub's REST client, shared by the three front ends (hub/src/contract/api-client.ts). */
export { ApiError, api } from '@ocp/hub/api-client';
export type { FieldIssue } from '@ocp/hub/contract';
