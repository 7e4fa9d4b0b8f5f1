import { stringifyEntityRef } from '@backstage/catalog-model';
import { Content, Header, Link, Page, Progress } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { ResponseError } from '@backstage/errors';
import { catalogApiRef, useEntityRefLink } from '@backstage/plugin-catalog-react';
import {
  parseEfsNodeIdentityAnnotations,
  VERIFICATION_STATES,
  type FleetEntry,
  type VerificationState,
} from '@efs-node-identity/backstage-plugin-common';
import Button from '@material-ui/core/Button';
import { makeStyles } from '@material-ui/core/styles';
import Typography from '@material-ui/core/Typography';
import { useMemo, useState, type ReactNode } from 'react';
import useAsync from 'react-use/lib/useAsync';
import useAsyncRetry from 'react-use/lib/useAsyncRetry';
import { efsNodeIdentityApiRef } from '../../api';
import { fileSystemText } from '../fileSystems';
import { formatTime, STATE_TEXT, StatusLabel } from '../StatusLabel';

/** Rows per page asked from the backend's /fleet. */
export const FLEET_PAGE_SIZE = 50;

type SortKey = 'entity' | 'cluster' | 'status' | 'lastVerified';

// Worst first when sorting by status.
const STATE_RANK: Record<VerificationState, number> = {
  failing: 0,
  unverifiable: 1,
  warnings: 2,
  'not-verified': 3,
  ok: 4,
};

function clusterName(clusterArn: string): string {
  return clusterArn.slice(clusterArn.lastIndexOf('/') + 1);
}

/** What the entity's annotations say beyond the cluster; the fleet rows carry only the cluster. */
interface DeclaredIdentity {
  mode: string;
  fileSystems: string;
}

const MODE_TEXT = { 'pod-identity': 'Pod Identity', irsa: 'IRSA' } as const;

/**
 * Mode and file systems from the catalog (the backend's fleet rows do not carry them), read for the entities of the
 * page shown. A failed read leaves the columns at "unknown" rather than hiding the fleet.
 */
function useDeclaredIdentities(entries: FleetEntry[] | undefined): Map<string, DeclaredIdentity> {
  const catalogApi = useApi(catalogApiRef);
  const refs = (entries ?? []).map((e) => e.entityRef);
  const { value } = useAsync(async () => {
    const declared = new Map<string, DeclaredIdentity>();
    if (!refs.length) return declared;
    const { items } = await catalogApi.getEntitiesByRefs({
      entityRefs: refs,
      fields: ['kind', 'metadata.namespace', 'metadata.name', 'metadata.annotations'],
    });
    for (const entity of items) {
      if (!entity) continue;
      try {
        const annotations = parseEfsNodeIdentityAnnotations(entity);
        declared.set(stringifyEntityRef(entity), {
          mode: annotations?.mode ? MODE_TEXT[annotations.mode] : 'not set',
          fileSystems: annotations?.fileSystems.length
            ? annotations.fileSystems.map(fileSystemText).join(', ')
            : 'from the cluster',
        });
      } catch {
        declared.set(stringifyEntityRef(entity), {
          mode: 'invalid annotation',
          fileSystems: 'invalid annotation',
        });
      }
    }
    return declared;
  }, [catalogApi, refs.join(',')]);
  return value ?? new Map();
}

/** The fleet table's column headings, also given to each cell as its label for the narrow layout below. */
const COLUMNS = [
  'Entity',
  'Cluster',
  'File systems',
  'Mode',
  'Status',
  'Worst finding',
  'Last verified',
] as const;

const useStyles = makeStyles((theme) => ({
  table: {
    width: '100%',
    borderCollapse: 'collapse',
    // Below 600 px (a phone, or a 400 px window) seven columns do not fit: each row becomes a block of
    // "heading: value" lines, so nothing has to be scrolled sideways (WCAG 2.2 SC 1.4.10 Reflow asks for 320 px).
    // The cells keep their roles (set explicitly below) since some browsers drop table semantics with display: block.
    [theme.breakpoints.down('xs')]: {
      '& thead': {
        position: 'absolute',
        width: 1,
        height: 1,
        overflow: 'hidden',
        clip: 'rect(0 0 0 0)',
        whiteSpace: 'nowrap',
      },
      '& tr, & tbody': { display: 'block' },
      '& tbody tr': { borderTop: `1px solid ${theme.palette.divider}`, padding: theme.spacing(1, 0) },
      '& td': {
        display: 'grid',
        gridTemplateColumns: '7.5em minmax(0, 1fr)',
        gap: theme.spacing(1),
        overflowWrap: 'anywhere',
      },
      '& td::before': { content: 'attr(data-label)', fontWeight: theme.typography.fontWeightBold },
    },
  },
}));

function worstFinding(entry: FleetEntry): string {
  const { error, warning, info } = entry.counts;
  const rules = entry.ruleIds.length ? ` (${entry.ruleIds.join(', ')})` : '';
  if (error) return `${error} error${error > 1 ? 's' : ''}${rules}`;
  if (warning) return `${warning} warning${warning > 1 ? 's' : ''}${rules}`;
  if (info) return `${info} note${info > 1 ? 's' : ''}${rules}`;
  return 'none';
}

/**
 * The fleet: every annotated entity the user can read, with its cluster, state, worst finding and last
 * verification; filtered by cluster and state on the backend, by text and sorted on the page shown.
 */
export function EfsNodeIdentityPage() {
  const api = useApi(efsNodeIdentityApiRef);
  const [cluster, setCluster] = useState('');
  const [state, setState] = useState<VerificationState | ''>('');
  const [text, setText] = useState('');
  const [sort, setSort] = useState<SortKey>('entity');
  const [offset, setOffset] = useState(0);

  const fleet = useAsyncRetry(
    () =>
      api.listFleet({
        ...(cluster.trim() ? { cluster: cluster.trim() } : {}),
        ...(state ? { state } : {}),
        offset,
        limit: FLEET_PAGE_SIZE,
      }),
    [api, cluster, state, offset],
  );

  const declared = useDeclaredIdentities(fleet.value?.items);

  const rows = useMemo(() => {
    const needle = text.trim().toLocaleLowerCase('en-US');
    const items = (fleet.value?.items ?? []).filter(
      (e) =>
        !needle ||
        [e.entityRef, e.clusterArn, ...e.ruleIds, declared.get(e.entityRef)?.fileSystems ?? ''].some((v) =>
          v.toLocaleLowerCase('en-US').includes(needle),
        ),
    );
    const by: Record<SortKey, (a: FleetEntry, b: FleetEntry) => number> = {
      entity: (a, b) => a.entityRef.localeCompare(b.entityRef),
      cluster: (a, b) => clusterName(a.clusterArn).localeCompare(clusterName(b.clusterArn)),
      status: (a, b) => STATE_RANK[a.state] - STATE_RANK[b.state],
      // Most recent first; never verified last.
      lastVerified: (a, b) => (b.lastVerifiedAt ?? '').localeCompare(a.lastVerifiedAt ?? ''),
    };
    return [...items].sort((a, b) => by[sort](a, b) || a.entityRef.localeCompare(b.entityRef));
  }, [fleet.value, text, sort, declared]);

  const ruleCounts = useMemo(() => {
    const counts = new Map<string, number>();
    for (const entry of rows)
      for (const rule of new Set(entry.ruleIds)) counts.set(rule, (counts.get(rule) ?? 0) + 1);
    return [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  }, [rows]);

  return (
    <Page themeId="tool">
      <Header
        title="EFS node identity"
        subtitle="Every annotated service and the identity of its cluster's EFS CSI node component"
      />
      <Content>
        <form
          aria-label="Filter the fleet"
          onSubmit={(e) => e.preventDefault()}
          style={{ display: 'flex', gap: 16, flexWrap: 'wrap', marginBottom: 16 }}
        >
          <label>
            Cluster{' '}
            <input
              value={cluster}
              onChange={(e) => {
                setCluster(e.target.value);
                setOffset(0);
              }}
              placeholder="name or ARN"
            />
          </label>
          <label>
            Status{' '}
            <select
              value={state}
              onChange={(e) => {
                setState(e.target.value as VerificationState | '');
                setOffset(0);
              }}
            >
              <option value="">any</option>
              {VERIFICATION_STATES.map((s) => (
                <option key={s} value={s}>
                  {STATE_TEXT[s]}
                </option>
              ))}
            </select>
          </label>
          <label>
            Search{' '}
            <input
              value={text}
              onChange={(e) => setText(e.target.value)}
              placeholder="entity, cluster or rule"
            />
          </label>
          <label>
            Sort by{' '}
            <select value={sort} onChange={(e) => setSort(e.target.value as SortKey)}>
              <option value="entity">entity</option>
              <option value="cluster">cluster</option>
              <option value="status">status (worst first)</option>
              <option value="lastVerified">last verified (newest first)</option>
            </select>
          </label>
        </form>
        <FleetBody
          loading={fleet.loading}
          error={fleet.error}
          retry={fleet.retry}
          filtered={Boolean(cluster.trim() || state || text.trim())}
          rows={rows}
          declared={declared}
          ruleCounts={ruleCounts}
        />
        {fleet.value && (
          <nav
            aria-label="Pages"
            // Wraps at 400 px rather than squeezing the buttons' labels out of them.
            style={{ display: 'flex', flexWrap: 'wrap', gap: 8, alignItems: 'center', marginTop: 16 }}
          >
            <Button
              variant="outlined"
              disabled={offset === 0}
              onClick={() => setOffset(Math.max(0, offset - FLEET_PAGE_SIZE))}
            >
              Previous page
            </Button>
            <Typography variant="body2">
              {fleet.value.totalCount === 0
                ? 'no entities'
                : `entities ${fleet.value.offset + 1}–${fleet.value.offset + fleet.value.items.length} of ${fleet.value.totalCount}`}
            </Typography>
            <Button
              variant="outlined"
              disabled={fleet.value.nextOffset === undefined}
              onClick={() => setOffset(fleet.value!.nextOffset!)}
            >
              Next page
            </Button>
          </nav>
        )}
      </Content>
    </Page>
  );
}

function FleetBody(props: {
  loading: boolean;
  error?: Error;
  retry: () => void;
  filtered: boolean;
  rows: FleetEntry[];
  declared: Map<string, DeclaredIdentity>;
  ruleCounts: Array<[string, number]>;
}) {
  const entityLink = useEntityRefLink();
  const classes = useStyles();
  if (props.loading) return <Progress aria-label="Loading the fleet" />;
  if (props.error) {
    const status = props.error instanceof ResponseError ? props.error.statusCode : undefined;
    const message =
      props.error instanceof ResponseError ? props.error.body.error.message : props.error.message;
    return (
      <div role="alert">
        <Typography>Could not load the fleet: {message}</Typography>
        <Typography>
          {status === 403
            ? 'Ask your Backstage admin for the efs-node-identity.status.read permission.'
            : 'Check that the efs-node-identity backend plugin is installed and running, then try again.'}
        </Typography>
        <Button variant="outlined" onClick={props.retry}>
          Try again
        </Button>
      </div>
    );
  }
  if (!props.rows.length) {
    return (
      <Typography>
        {props.filtered
          ? 'No entity matches these filters.'
          : 'No entity has EFS annotations yet. Add efs-node-identity.io/cluster-arn (and optionally the file systems, service account and mode) to a catalog-info.yaml; the entity card shows the YAML.'}
      </Typography>
    );
  }
  return (
    <>
      <table aria-label="Fleet" role="table" className={classes.table}>
        <thead role="rowgroup">
          <tr role="row">
            {COLUMNS.map((column) => (
              <th key={column} scope="col" role="columnheader" align="left">
                {column}
              </th>
            ))}
          </tr>
        </thead>
        <tbody role="rowgroup">
          {props.rows.map((entry) => {
            const declared = props.declared.get(entry.entityRef);
            const cells: Array<[(typeof COLUMNS)[number], ReactNode, string?]> = [
              // The catalog's entity route, wherever the app mounts the catalog.
              ['Entity', <Link to={entityLink(entry.entityRef)}>{entry.entityRef}</Link>],
              ['Cluster', clusterName(entry.clusterArn), entry.clusterArn],
              ['File systems', declared?.fileSystems ?? 'unknown'],
              ['Mode', declared?.mode ?? 'unknown'],
              ['Status', <StatusLabel state={entry.state} />],
              ['Worst finding', worstFinding(entry)],
              ['Last verified', formatTime(entry.lastVerifiedAt)],
            ];
            return (
              <tr key={entry.entityRef} role="row">
                {cells.map(([column, content, title]) => (
                  <td key={column} role="cell" data-label={column} title={title}>
                    {content}
                  </td>
                ))}
              </tr>
            );
          })}
        </tbody>
      </table>
      <section aria-label="Findings per rule">
        <Typography variant="h6" component="h2">
          Findings per rule (entities on this page)
        </Typography>
        {props.ruleCounts.length ? (
          <ul>
            {props.ruleCounts.map(([rule, count]) => (
              <li key={rule}>
                {rule}: {count} {count === 1 ? 'entity' : 'entities'}
              </li>
            ))}
          </ul>
        ) : (
          <Typography>No findings on this page.</Typography>
        )}
      </section>
    </>
  );
}
