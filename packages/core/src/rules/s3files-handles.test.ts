import * as path from 'node:path';
import { defaultConfig } from '../config/config';
import { loadStaticSnapshot } from '../sources/load';
import { checkFixture } from './testing';
import { NodeIdentityView, parseVolumeHandle } from './view';

const FIXTURE = path.join(__dirname, '__fixtures__', 's3files-handles');

// Driver v3 parseVolumeId (pkg/driver/node.go) accepts `s3files:` as a file system type prefix; every rule that reads
// a volume handle (K8-06 directly; K8-01/02/04/07, FS-03/09, NI-01, XA-* through the view) must see these as valid
// S3 Files volumes, not as malformed EFS handles.
describe('s3files: volume handles', () => {
  it('are valid S3 Files volumes for every rule: no finding at all on a correct S3 Files setup', async () => {
    expect(await checkFixture(FIXTURE)).toEqual([]);
  });

  it('are read as S3 Files volumes, with their path and access point', async () => {
    const { snapshot } = await loadStaticSnapshot([FIXTURE]);
    const view = new NodeIdentityView(snapshot, defaultConfig());
    expect(view.volumes).toHaveLength(7);
    expect(view.volumes.every((v) => v.type === 's3files' && v.iam && v.tls === true)).toBe(true);
    expect(view.volumes.filter((v) => v.accessPointId === 'fsap-0f1e2d3c4b5a69788a7b6')).toHaveLength(2);
  });

  it('are still rejected where the driver rejects them', () => {
    expect(parseVolumeHandle('s3files:fs-0a1b2c3d4e5f6a7b8c9d0:/data:fsap-0f1e2d3c4b5a69788a7b6:ro')).toEqual(
      {
        error: expect.stringContaining('too many fields (5)'),
      },
    );
    // The type prefix is matched exactly (util.ParseFileSystemType): an upper-case one is no prefix at all.
    expect(parseVolumeHandle('S3FILES:fs-0a1b2c3d4e5f6a7b8c9d0')).toHaveProperty('error');
    expect(
      parseVolumeHandle(
        's3files:arn:aws:s3files:eu-west-1:210987654321:file-system/fs-0a1b2c3d4e5f6a7b8c9d0',
      ),
    ).toHaveProperty('error');
  });
});
