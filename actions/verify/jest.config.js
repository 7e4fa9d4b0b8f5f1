// ESM because the package is `"type": "module"` (the runner must load dist/index.js as ESM).
import preset from '../../jest.preset.js';

export default { ...preset, rootDir: import.meta.dirname };
