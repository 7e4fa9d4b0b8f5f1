export { EfsNodeIdentityPage } from './EfsNodeIdentityPage';
