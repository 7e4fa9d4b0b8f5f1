/**
 * Shared parts of the efs-node-identity Backstage plugins: entity annotations, API types and permissions.
 *
 * @packageDocumentation
 */
export * from './annotations';
export * from './api-types';
export * from './permissions';
