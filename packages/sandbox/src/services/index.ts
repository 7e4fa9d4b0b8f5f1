import { eks } from './eks';
import { iam } from './iam';
import type { ServiceModule } from './module';
import { sts } from './sts';
import { efs } from './efs';
import { ec2 } from './ec2';
import { route53 } from './route53';
import { s3 } from './s3';
import { s3files } from './s3files';

/** Every AWS service of the sandbox, found by the SigV4 signing name of a request. */
export const SERVICES: ServiceModule[] = [sts, iam, eks, efs, ec2, route53, s3files, s3];
