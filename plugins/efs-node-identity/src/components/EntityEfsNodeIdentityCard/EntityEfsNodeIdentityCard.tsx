import { getCompoundEntityRef, type Entity } from '@backstage/catalog-model';
import { InfoCard, Progress } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { ResponseError } from '@backstage/errors';
import { useEntity } from '@backstage/plugin-catalog-react';
import { usePermission } from '@backstage/plugin-permission-react';
import {
  ANNOTATION_CLUSTER_ARN,
  ANNOTATION_FILE_SYSTEM_IDS,
  ANNOTATION_MODE,
  ANNOTATION_SERVICE_ACCOUNT,
  efsNodeIdentityProvisionPermission,
  parseEfsNodeIdentityAnnotations,
  type EfsNodeIdentityAnnotations,
  type EntityStatusResponse,
  type StatusFinding,
} from '@efs-node-identity/backstage-plugin-common';
import Button from '@material-ui/core/Button';
import { makeStyles } from '@material-ui/core/styles';
import Typography from '@material-ui/core/Typography';
import { useState } from 'react';
import useAsyncRetry from 'react-use/lib/useAsyncRetry';
import { efsNodeIdentityApiRef } from '../../api';
import { identityChain, sortFindings, type ChainLink } from '../identityChain';
import { fileSystemText } from '../fileSystems';
import { formatTime, StateMark, StatusLabel, toneOf } from '../StatusLabel';
import { LiveMounts } from './LiveMounts';

const TITLE = 'EFS node identity';

/** The annotations a catalog-info.yaml needs, shown when an entity has none. */
export const ANNOTATION_EXAMPLE = `metadata:
  annotations:
    ${ANNOTATION_CLUSTER_ARN}: arn:aws:eks:<region>:<account>:cluster/<name>
    ${ANNOTATION_FILE_SYSTEM_IDS}: fs-0123456789abcdef0
    ${ANNOTATION_SERVICE_ACCOUNT}: kube-system/efs-csi-node-sa
    ${ANNOTATION_MODE}: pod-identity`;

const useStyles = makeStyles({
  // Findings quote ARNs and policy JSON with no space to break at: they wrap inside the card instead of widening it
  // past a 400 px window (WCAG 2.2 SC 1.4.10 Reflow).
  status: { overflowWrap: 'anywhere', '& pre': { whiteSpace: 'pre-wrap' } },
});

/**
 * The entity's EFS node identity: whether its cluster's EFS CSI node component can mount the file systems, the
 * identity chain link by link, the findings with their fix, and "Verify now" for those allowed to run it.
 */
export function EntityEfsNodeIdentityCard() {
  const { entity } = useEntity();
  let annotations: EfsNodeIdentityAnnotations | undefined;
  try {
    annotations = parseEfsNodeIdentityAnnotations(entity);
  } catch (error) {
    return (
      <InfoCard title={TITLE}>
        <Typography role="alert">{(error as Error).message}.</Typography>
        <Typography>
          Correct the annotation in the entity&apos;s catalog-info.yaml; the card reads it again on the next
          catalog refresh.
        </Typography>
      </InfoCard>
    );
  }
  if (!annotations) return <NoAnnotations />;
  return <AnnotatedEntityStatus entity={entity} annotations={annotations} />;
}

function NoAnnotations() {
  return (
    <InfoCard title={TITLE}>
      <Typography>
        This entity has no EFS annotations, so there is nothing to verify. To check the EFS node identity of
        the cluster its workloads run on, add them to its catalog-info.yaml:
      </Typography>
      <pre aria-label="Annotations to add" style={{ overflowX: 'auto' }}>
        {ANNOTATION_EXAMPLE}
      </pre>
      <Typography variant="body2">
        Only the cluster ARN is required; the file systems, service account and mode narrow the check.
      </Typography>
    </InfoCard>
  );
}

function AnnotatedEntityStatus(props: { entity: Entity; annotations: EfsNodeIdentityAnnotations }) {
  const api = useApi(efsNodeIdentityApiRef);
  const classes = useStyles();
  const ref = getCompoundEntityRef(props.entity);
  const loaded = useAsyncRetry(() => api.getStatus(ref), [api, ref.kind, ref.namespace, ref.name]);
  const [verified, setVerified] = useState<EntityStatusResponse>();
  const [verifying, setVerifying] = useState(false);
  const [verifyError, setVerifyError] = useState<Error>();
  const { allowed: mayVerify, loading: permissionLoading } = usePermission({
    permission: efsNodeIdentityProvisionPermission,
  });

  const verifyNow = async () => {
    setVerifying(true);
    setVerifyError(undefined);
    try {
      setVerified(await api.verifyNow(ref));
    } catch (error) {
      setVerifyError(error as Error);
    } finally {
      setVerifying(false);
    }
  };

  const status = verified ?? loaded.value;
  const verifyButton = (
    <VerifyButton
      allowed={mayVerify}
      checking={permissionLoading}
      verifying={verifying}
      onVerify={verifyNow}
    />
  );

  if (loaded.loading && !status) {
    return (
      <InfoCard title={TITLE}>
        <Progress aria-label="Loading the EFS node identity status" />
      </InfoCard>
    );
  }
  if (loaded.error && !status) {
    return (
      <InfoCard title={TITLE}>
        <LoadError error={loaded.error} />
        <Button variant="outlined" onClick={loaded.retry}>
          Try again
        </Button>
      </InfoCard>
    );
  }
  if (!status) return null;

  return (
    <InfoCard title={TITLE} className={classes.status}>
      <section aria-label="Verification status">
        <Typography variant="h6" component="p">
          <StatusLabel state={status.state} />
        </Typography>
        <Typography variant="body2">
          Last verified: {formatTime(status.lastVerifiedAt)} · cluster {props.annotations.cluster.name} (
          {props.annotations.cluster.region}) · file systems: {fileSystemsText(status)}
        </Typography>
        {status.state === 'unverifiable' && status.error && (
          <Typography role="alert">Could not verify: {status.error}</Typography>
        )}
        {status.state === 'not-verified' && (
          <Typography>This entity has not been verified yet: run Verify now to check it.</Typography>
        )}
      </section>
      <IdentityChainPicture links={identityChain(status, props.annotations.mode)} />
      {status.liveMounts && <LiveMounts liveMounts={status.liveMounts} />}
      {status.notRead.length > 0 && (
        <section aria-label="Not read">
          <Typography variant="subtitle2">Not read, so the rules about them stayed silent:</Typography>
          <ul>
            {status.notRead.map((line) => (
              <li key={line}>{line}</li>
            ))}
          </ul>
        </section>
      )}
      <Findings findings={status.findings} verified={status.state !== 'not-verified'} />
      {verifyError && <VerifyFailed error={verifyError} />}
      {verifyButton}
    </InfoCard>
  );
}

function VerifyButton(props: {
  allowed: boolean;
  checking: boolean;
  verifying: boolean;
  onVerify: () => void;
}) {
  if (props.checking) return null;
  if (!props.allowed) {
    return (
      <Typography variant="body2">
        Verify now needs the efs-node-identity.provision permission; ask your Backstage admin for it.
      </Typography>
    );
  }
  return (
    <Button variant="contained" color="primary" disabled={props.verifying} onClick={props.onVerify}>
      {props.verifying ? 'Verifying…' : 'Verify now'}
    </Button>
  );
}

function IdentityChainPicture(props: { links: ChainLink[] }) {
  const linkText = { ok: 'ok', warning: 'warning', failing: 'failing', unknown: 'unknown' } as const;
  return (
    <section aria-label="Identity chain">
      <Typography variant="subtitle2" component="h3">
        Identity chain
      </Typography>
      <ol
        style={{ display: 'flex', flexWrap: 'wrap', gap: 8, listStyle: 'none', padding: 0, margin: '8px 0' }}
      >
        {props.links.map((link, index) => (
          <li
            key={link.id}
            aria-label={`${link.label}: ${linkText[link.state]}${link.ruleIds.length ? ` (${link.ruleIds.join(', ')})` : ''}`}
            style={{ display: 'inline-flex', alignItems: 'center', gap: 8 }}
          >
            <span style={{ border: '1px solid currentColor', borderRadius: 4, padding: '2px 6px' }}>
              <strong>{link.label}</strong>{' '}
              <StateMark tone={toneOf(link.state)} text={linkText[link.state]} />
            </span>
            {index < props.links.length - 1 && <span aria-hidden="true">→</span>}
          </li>
        ))}
      </ol>
    </section>
  );
}

function Findings(props: { findings: StatusFinding[]; verified: boolean }) {
  if (!props.verified) return null;
  if (!props.findings.length) {
    return <Typography>No findings: every rule passed.</Typography>;
  }
  return (
    <section aria-label="Findings">
      <Typography variant="subtitle2" component="h3">
        Findings
      </Typography>
      <ul style={{ paddingLeft: 16 }}>
        {sortFindings(props.findings).map((finding, index) => (
          <FindingItem key={`${finding.ruleId}-${index}`} finding={finding} />
        ))}
      </ul>
    </section>
  );
}

const SEVERITY_TONE = { error: 'failing', warning: 'warning', info: 'unknown' } as const;

function FindingItem(props: { finding: StatusFinding }) {
  const { finding } = props;
  const [copied, setCopied] = useState(false);
  const copy = async () => {
    await window.navigator.clipboard?.writeText(finding.remediation ?? '');
    setCopied(true);
  };
  return (
    <li aria-label={`${finding.ruleId} ${finding.severity}: ${finding.title}`} style={{ marginBottom: 12 }}>
      <Typography component="div">
        <StateMark tone={SEVERITY_TONE[finding.severity]} text={finding.severity} />{' '}
        <strong>{finding.ruleId}</strong> {finding.title}
        {finding.undecidable && ' (undecidable: a value could not be read)'}
      </Typography>
      <Typography variant="body2">{finding.message}</Typography>
      {finding.trace && finding.trace.length > 0 && (
        <details>
          <summary>Why: the evaluator&apos;s trace ({finding.trace.length} steps)</summary>
          <ol>
            {finding.trace.map((step, index) => (
              <li key={index}>
                {step.outcome}: {step.message}
              </li>
            ))}
          </ol>
        </details>
      )}
      {finding.remediation && (
        <div>
          <Typography variant="body2" component="p">
            Fix:
          </Typography>
          <pre style={{ whiteSpace: 'pre-wrap', overflowX: 'auto' }}>{finding.remediation}</pre>
          <Button
            size="small"
            variant="outlined"
            onClick={copy}
            aria-label={`Copy the fix for ${finding.ruleId}`}
          >
            {copied ? 'Copied' : 'Copy fix'}
          </Button>
        </div>
      )}
    </li>
  );
}

/**
 * The file systems the last verification read, each with its type (those the annotation names and those the cluster's
 * volumes name); the annotated IDs alone from a backend that does not report types.
 */
function fileSystemsText(status: EntityStatusResponse): string {
  if (status.fileSystems?.length) return status.fileSystems.map(fileSystemText).join(', ');
  if (!status.fileSystemIds.length) return 'those the cluster names';
  return status.fileSystemIds.join(', ');
}

/** What went wrong and what to do, by the backend's answer. */
export function whatToDo(error: Error): string {
  const status = error instanceof ResponseError ? error.statusCode : undefined;
  if (status === 403) {
    return 'You are not allowed to read it: ask your Backstage admin for the efs-node-identity.status.read permission.';
  }
  if (status === 404) {
    return 'The backend does not know this entity with an EFS cluster annotation: check that the entity is in the catalog with the annotation, and that the efs-node-identity backend plugin is installed.';
  }
  if (status === 400) return 'The backend rejected the annotations: correct them in catalog-info.yaml.';
  return 'Check that the efs-node-identity backend plugin is installed and running, then try again.';
}

function backendMessage(error: Error): string {
  return error instanceof ResponseError ? error.body.error.message : error.message;
}

function LoadError(props: { error: Error }) {
  return (
    <div role="alert">
      <Typography>Could not load the EFS node identity status: {backendMessage(props.error)}</Typography>
      <Typography>{whatToDo(props.error)}</Typography>
    </div>
  );
}

function VerifyFailed(props: { error: Error }) {
  const status = props.error instanceof ResponseError ? props.error.statusCode : undefined;
  return (
    <div role="alert">
      <Typography>Verification failed: {backendMessage(props.error)}</Typography>
      <Typography>
        {status === 403
          ? 'Verify now needs the efs-node-identity.provision permission: ask your Backstage admin for it.'
          : 'The last stored status is still shown. Check the backend logs, then try again.'}
      </Typography>
    </div>
  );
}
