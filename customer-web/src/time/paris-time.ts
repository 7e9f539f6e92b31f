// The shops' clock lives in the hub's domain, so the site and the hub read Paris time alike.
export * from '@ocp/hub/domain/paris-time';
