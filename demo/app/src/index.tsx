import '@backstage/cli/asset-types';
// Backstage UI's styles (the app shell and the catalog and scaffolder pages use its components), as create-app's
// packages/app imports them; without them the sidebar sits beside a full-width page and every page scrolls sideways.
import '@backstage/ui/css/styles.css';
import ReactDOM from 'react-dom/client';
import app from './App';

ReactDOM.createRoot(document.getElementById('root')!).render(app.createRoot());
