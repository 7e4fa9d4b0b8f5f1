import { eks } from './eks';
import { iam } from './iam';
import type { ServiceModule } from './module';
import { sts } from './sts';

/** Every AWS service of the sandbox, found by the SigV4 signing name of a request. */
export const SERVICES: ServiceModule[] = [sts, iam, eks];
