export { EntityEfsNodeIdentityCard, ANNOTATION_EXAMPLE } from './EntityEfsNodeIdentityCard';
