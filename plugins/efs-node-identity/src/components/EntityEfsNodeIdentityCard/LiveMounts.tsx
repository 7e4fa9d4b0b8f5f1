import type {
  LiveMountsInspected,
  LiveMountsStatus,
  LiveMountToRemount,
} from '@efs-node-identity/backstage-plugin-common';
import Typography from '@material-ui/core/Typography';
import { formatTime, StateMark } from '../StatusLabel';

// Node names, role ARNs and kubelet mount points are long unbroken strings: let them wrap anywhere so the card stays
// readable in a narrow column (400 px) instead of overflowing it.
const WRAP = { overflowWrap: 'anywhere' } as const;

const CREDENTIALS_TEXT: Record<LiveMountToRemount['credentials'], string> = {
  'instance-role': 'on the instance role',
  'older-identity': 'on an older identity',
  other: 'on other credentials',
};

/**
 * Ground truth from the nodes: which identity the cluster's live EFS mounts were made with (each mount keeps it until
 * it is mounted again), with the volumes to re-mount, or why the mounts were not inspected.
 */
export function LiveMounts(props: { liveMounts: LiveMountsStatus }) {
  const { liveMounts } = props;
  return (
    <section aria-label="Live mounts" style={WRAP}>
      <Typography variant="subtitle2" component="h3">
        Live mounts
      </Typography>
      {liveMounts.inspected ? (
        <Inspected liveMounts={liveMounts} />
      ) : (
        <Typography variant="body2">
          <StateMark tone="unknown" text="live mounts: not inspected" />: {liveMounts.message}.
        </Typography>
      )}
    </section>
  );
}

/** The line every state shows: "live mounts: N on the dedicated identity, M on the instance role", and the rest when any. */
export function liveMountsLine(liveMounts: LiveMountsInspected): string {
  const { counts } = liveMounts;
  const parts = [
    `${counts.dedicated} on the dedicated identity`,
    `${counts.instanceRole} on the instance role`,
    ...(counts.olderIdentity > 0 ? [`${counts.olderIdentity} on an older identity`] : []),
    ...(counts.other > 0 ? [`${counts.other} on other credentials`] : []),
    ...(counts.withoutIam > 0 ? [`${counts.withoutIam} without iam`] : []),
  ];
  return `live mounts: ${parts.join(', ')}`;
}

function Inspected(props: { liveMounts: LiveMountsInspected }) {
  const { liveMounts } = props;
  const { counts } = liveMounts;
  const tone =
    liveMounts.remountCount === 0
      ? ('ok' as const)
      : counts.instanceRole > 0 && liveMounts.identity
        ? ('failing' as const)
        : ('warning' as const);
  const verdict =
    liveMounts.remountCount === 0 ? 'Nothing to re-mount' : `${liveMounts.remountCount} to re-mount`;
  const hidden = liveMounts.remountCount - liveMounts.remount.length;
  return (
    <>
      <Typography variant="body2">
        <StateMark tone={tone} text={verdict} /> {liveMountsLine(liveMounts)} (read on {liveMounts.nodePods}{' '}
        node pod(s)).
      </Typography>
      <Typography variant="body2">
        {liveMounts.identity
          ? `Dedicated identity: ${liveMounts.identity}.`
          : 'No dedicated identity is configured for the node service account.'}
      </Typography>
      {liveMounts.remount.length > 0 && (
        <>
          <Typography variant="body2">
            Re-mount these volumes once the node identity is fixed: delete or roll out the application pod so
            the volume is mounted again.
          </Typography>
          <ul aria-label="Mounts to re-mount" style={{ paddingLeft: 16, margin: '4px 0' }}>
            {liveMounts.remount.map((m) => (
              <li key={`${m.nodePod} ${m.mount}`}>
                <Typography variant="body2" component="span">
                  {remountText(m)}
                </Typography>
              </li>
            ))}
          </ul>
          {hidden > 0 && <Typography variant="body2">and {hidden} more.</Typography>}
        </>
      )}
      {liveMounts.notInspected && (
        <Typography variant="body2">
          <StateMark tone="unknown" text="Not inspected" /> on {liveMounts.notInspected.pods.length} node
          pod(s) ({liveMounts.notInspected.pods.join(', ')}): {liveMounts.notInspected.reason}.
        </Typography>
      )}
    </>
  );
}

/** `PV orders-data-pv, application pod UID 7c2e…: on the instance role (metadata:), node ip-…, mounted …`. */
function remountText(m: LiveMountToRemount): string {
  const what = [
    m.persistentVolume ? `PV ${m.persistentVolume}` : `mount ${m.mount}`,
    m.applicationPodUid ? `application pod UID ${m.applicationPodUid}` : undefined,
  ].filter(Boolean);
  const where = [
    `node pod ${m.nodePod}`,
    m.node ? `node ${m.node}` : undefined,
    m.mountedAt ? `mounted ${formatTime(m.mountedAt)}` : undefined,
  ].filter(Boolean);
  const how = `${CREDENTIALS_TEXT[m.credentials]}${m.credentialsMethod ? ` (${m.credentialsMethod})` : ''}`;
  return `${what.join(', ')}: ${how}; ${where.join(', ')}`;
}
