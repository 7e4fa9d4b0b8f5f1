import { stringifyEntityRef, type Entity } from '@backstage/catalog-model';
import { catalogApiRef, entityRouteRef } from '@backstage/plugin-catalog-react';
import { renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import type { FleetResponse } from '@efs-node-identity/backstage-plugin-common';
import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { efsNodeIdentityApiRef, type EfsNodeIdentityApi, type FleetQuery } from '../../api';
import { fleetEntities, fleetPage } from '../../test-fixtures';
import { responseError } from '../EntityEfsNodeIdentityCard/cardTestHelpers';
import { EfsNodeIdentityPage } from './EfsNodeIdentityPage';

function fleetApi(answer: (query: FleetQuery) => Promise<FleetResponse>) {
  const queries: FleetQuery[] = [];
  const api: EfsNodeIdentityApi = {
    getStatus: async () => {
      throw new Error('the page reads only the fleet');
    },
    verifyNow: async () => {
      throw new Error('the page reads only the fleet');
    },
    listFleet: async (query = {}) => {
      queries.push(query);
      return answer(query);
    },
  };
  return { api, queries };
}

/**
 * The one catalog call the page makes, over entities in memory (catalogApiMock from catalog-react's testUtils pulls
 * the Azure SDK's browser ES modules into jsdom).
 */
function catalogWith(entities: Entity[]) {
  const requests: string[][] = [];
  return {
    requests,
    getEntitiesByRefs: async (request: { entityRefs: string[] }) => {
      requests.push(request.entityRefs);
      return { items: request.entityRefs.map((ref) => entities.find((e) => stringifyEntityRef(e) === ref)) };
    },
  };
}

type CatalogStandIn = Pick<ReturnType<typeof catalogWith>, 'getEntitiesByRefs'>;

// The page reads the fleet's mode and file system annotations from the catalog.
const renderPage = (api: EfsNodeIdentityApi, catalogApi: CatalogStandIn = catalogWith(fleetEntities)) =>
  renderInTestApp(
    <TestApiProvider
      apis={[
        [efsNodeIdentityApiRef, api],
        [catalogApiRef, catalogApi],
      ]}
    >
      <EfsNodeIdentityPage />
    </TestApiProvider>,
    // Where the app mounts the catalog's entity pages: the rows link there.
    { mountedRoutes: { '/catalog/:namespace/:kind/:name': entityRouteRef } },
  );

const entityColumn = () =>
  within(screen.getByRole('table', { name: 'Fleet' }))
    .getAllByRole('row')
    .slice(1)
    .map((row) => within(row).getAllByRole('cell')[0]!.textContent);

describe('EfsNodeIdentityPage', () => {
  it('shows progress until the fleet arrives', async () => {
    let answer: (page: FleetResponse) => void = () => undefined;
    const { api } = fleetApi(() => new Promise((resolve) => (answer = resolve)));
    await renderPage(api);
    expect(await screen.findByRole('progressbar')).toBeInTheDocument();
    answer(fleetPage);
    expect(await screen.findByRole('table', { name: 'Fleet' })).toBeInTheDocument();
  });

  it('explains how to get entities on it when the fleet is empty', async () => {
    const { api } = fleetApi(async () => ({ items: [], totalCount: 0, offset: 0, limit: 50 }));
    await renderPage(api);
    expect(await screen.findByText(/No entity has EFS annotations yet/)).toBeInTheDocument();
    expect(screen.queryByRole('table')).not.toBeInTheDocument();
  });

  it('says what to do when the backend refuses, and retries', async () => {
    let fail = true;
    const { api, queries } = fleetApi(async () => {
      if (fail)
        throw await responseError(403, 'NotAllowedError', 'not allowed: efs-node-identity.status.read');
      return fleetPage;
    });
    await renderPage(api);
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('Could not load the fleet: not allowed: efs-node-identity.status.read');
    expect(alert).toHaveTextContent(
      'Ask your Backstage admin for the efs-node-identity.status.read permission.',
    );
    fail = false;
    await userEvent.click(within(alert).getByRole('button', { name: 'Try again' }));
    expect(await screen.findByRole('table', { name: 'Fleet' })).toBeInTheDocument();
    expect(queries).toHaveLength(2);
  });

  it('lists every entity with cluster, file systems, mode, status in words, worst finding and last verified, and counts per rule', async () => {
    const { api, queries } = fleetApi(async () => fleetPage);
    const catalog = catalogWith(fleetEntities);
    await renderPage(api, catalog);
    const table = await screen.findByRole('table', { name: 'Fleet' });
    const mediaStore = within(table).getByRole('row', { name: /media-store/ });
    // Mode and file systems arrive from the catalog after the fleet.
    expect(await within(mediaStore).findByText('Pod Identity')).toBeInTheDocument();
    expect(
      within(mediaStore)
        .getAllByRole('cell')
        .map((c) => c.textContent),
    ).toEqual([
      'component:default/media-store',
      'demo-cluster',
      'fs-0a1b2c3d4e5f60718 (EFS)',
      'Pod Identity',
      'Failing',
      '1 error (FS-02, NI-03)',
      '2026-11-26 13:08 UTC',
    ]);
    expect(within(mediaStore).getByRole('link', { name: 'component:default/media-store' })).toHaveAttribute(
      'href',
      '/catalog/default/component/media-store',
    );
    const cellsOf = (name: RegExp) =>
      within(within(table).getByRole('row', { name }))
        .getAllByRole('cell')
        .map((c) => c.textContent);
    expect(cellsOf(/orders-api/).slice(2, 4)).toEqual(['from the cluster', 'not set']);
    expect(cellsOf(/reports-worker/).slice(2, 4)).toEqual([
      'fs-0123456789abcdef0 (EFS), fs-0fedcba9876543210 (S3 Files)',
      'IRSA',
    ]);
    const counts = within(screen.getByRole('region', { name: 'Findings per rule' })).getAllByRole('listitem');
    expect(counts.map((c) => c.textContent)).toEqual(['NI-03: 2 entities', 'FS-02: 1 entity']);
    expect(screen.getByText('entities 1–3 of 3')).toBeInTheDocument();
    expect(queries).toEqual([{ offset: 0, limit: 50 }]);
    expect(catalog.requests).toEqual([fleetPage.items.map((e) => e.entityRef)]);
  });

  it('labels every cell with its column heading and stacks the rows below 600 px, so a 400 px window reads "heading: value" lines', async () => {
    const { api } = fleetApi(async () => fleetPage);
    await renderPage(api);
    const table = await screen.findByRole('table', { name: 'Fleet' });
    const headings = within(table)
      .getAllByRole('columnheader')
      .map((h) => h.textContent);
    expect(headings).toEqual([
      'Entity',
      'Cluster',
      'File systems',
      'Mode',
      'Status',
      'Worst finding',
      'Last verified',
    ]);
    const rows = within(table).getAllByRole('row').slice(1);
    expect(rows).toHaveLength(fleetPage.items.length);
    for (const row of rows) {
      expect(
        within(row)
          .getAllByRole('cell')
          .map((c) => c.getAttribute('data-label')),
      ).toEqual(headings);
    }
    // The narrow layout is a stylesheet rule on the table's class (Material UI's xs breakpoint): the cells become
    // grid lines whose first column is the data-label, and the header row is hidden visually only.
    const css = [...document.querySelectorAll('style')].map((style) => style.textContent).join('\n');
    const tableClass = [...table.classList].find((c) => css.includes(`.${c}`));
    expect(tableClass).toBeDefined();
    const narrow = css.slice(css.indexOf('@media (max-width:599.95px)'));
    expect(narrow).toContain(`.${tableClass} td::before`);
    expect(narrow).toMatch(/content: attr\(data-label\)/);
    expect(narrow).toMatch(/overflow-wrap: anywhere/);
  });

  it('reaches the filters, the sort and every entity link from the keyboard, in reading order', async () => {
    const { api } = fleetApi(async () => fleetPage);
    await renderPage(api);
    const table = await screen.findByRole('table', { name: 'Fleet' });
    const links = within(table).getAllByRole('link');
    const user = userEvent.setup();
    const reached: string[] = [];
    for (let i = 0; i < 20 && document.activeElement !== links.at(-1); i++) {
      await user.tab();
      const focused = document.activeElement as HTMLElement;
      reached.push(focused.closest('label')?.textContent?.split(/\s/)[0] ?? focused.textContent ?? '');
    }
    const expected = ['Cluster', 'Status', 'Search', 'Sort', ...fleetPage.items.map((e) => e.entityRef)];
    expect(reached.filter((name) => expected.includes(name))).toEqual(expected);
  });

  it('still lists the fleet, with mode and file systems unknown, when the catalog cannot be read', async () => {
    const { api } = fleetApi(async () => fleetPage);
    let calls = 0;
    const catalogApi: CatalogStandIn = {
      getEntitiesByRefs: async () => {
        calls += 1;
        throw new Error('catalog unavailable');
      },
    };
    await renderPage(api, catalogApi);
    const row = within(await screen.findByRole('table', { name: 'Fleet' })).getByRole('row', {
      name: /media-store/,
    });
    expect(
      within(row)
        .getAllByRole('cell')
        .map((c) => c.textContent)
        .slice(2, 5),
    ).toEqual(['unknown', 'unknown', 'Failing']);
    expect(calls).toBe(1);
  });

  it('filters by text on the page and by cluster and status on the backend, and sorts', async () => {
    const { api, queries } = fleetApi(async (query) => ({
      ...fleetPage,
      items: fleetPage.items.filter((e) => !query.state || e.state === query.state),
    }));
    await renderPage(api);
    await screen.findByRole('table', { name: 'Fleet' });
    const user = userEvent.setup();

    await user.selectOptions(screen.getByRole('combobox', { name: 'Sort by' }), 'status');
    expect(entityColumn()).toEqual([
      'component:default/media-store',
      'component:default/reports-worker',
      'component:default/orders-api',
    ]);

    await user.type(screen.getByRole('textbox', { name: 'Search' }), 'batch');
    expect(entityColumn()).toEqual(['component:default/reports-worker']);
    expect(
      within(screen.getByRole('region', { name: 'Findings per rule' })).getByRole('listitem'),
    ).toHaveTextContent('NI-03: 1 entity');
    await user.clear(screen.getByRole('textbox', { name: 'Search' }));
    // The text search also matches the file systems the catalog declares.
    await user.type(screen.getByRole('textbox', { name: 'Search' }), 'fs-0fedcba9');
    expect(await screen.findAllByRole('row')).toHaveLength(2);
    expect(entityColumn()).toEqual(['component:default/reports-worker']);
    await user.clear(screen.getByRole('textbox', { name: 'Search' }));

    await user.selectOptions(screen.getByRole('combobox', { name: 'Status' }), 'failing');
    expect(await screen.findByText('entities 1–1 of 3')).toBeInTheDocument();
    expect(entityColumn()).toEqual(['component:default/media-store']);
    expect(queries.at(-1)).toEqual({ state: 'failing', offset: 0, limit: 50 });

    await user.type(screen.getByRole('textbox', { name: 'Cluster' }), 'x');
    expect(queries.at(-1)).toEqual({ cluster: 'x', state: 'failing', offset: 0, limit: 50 });
  });

  it('pages through the backend with nextOffset', async () => {
    const { api, queries } = fleetApi(async (query) =>
      query.offset
        ? { items: [fleetPage.items[2]!], totalCount: 51, offset: 50, limit: 50 }
        : { items: fleetPage.items.slice(0, 2), totalCount: 51, offset: 0, limit: 50, nextOffset: 50 },
    );
    await renderPage(api);
    await screen.findByRole('table', { name: 'Fleet' });
    expect(screen.getByRole('button', { name: 'Previous page' })).toBeDisabled();
    await userEvent.click(screen.getByRole('button', { name: 'Next page' }));
    expect(await screen.findByText('entities 51–51 of 51')).toBeInTheDocument();
    expect(entityColumn()).toEqual(['component:default/reports-worker']);
    expect(screen.getByRole('button', { name: 'Next page' })).toBeDisabled();
    expect(queries.map((q) => q.offset)).toEqual([0, 50]);
  });
});
