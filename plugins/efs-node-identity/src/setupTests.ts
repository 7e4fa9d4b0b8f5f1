import '@testing-library/jest-dom';
import { configure } from '@testing-library/react';

// How long findBy*/waitFor wait for the page to get there: the lazily loaded card and page are transpiled by ts-jest
// on first import, which on a fresh clone (no transform cache) with 2 busy cores takes longer than the 1 s default.
// A wait, not a time limit on the code: a test that succeeds sooner returns sooner.
configure({ asyncUtilTimeout: 15_000 });

// jsdom's CSS parser does not know the nested rules and cascade layers of the stylesheets Backstage's components
// inject; it reports each as an error of type "css parsing" that jest-environment-jsdom passes to console.error
// (an Error of Node's realm, so `instanceof Error` does not see it here). Styles play no part in these tests; only
// that jsdom error is dropped, every other console.error still reaches the output.
const consoleError = console.error.bind(console);
jest.spyOn(console, 'error').mockImplementation((...args: unknown[]) => {
  const [first] = args;
  if ((first as { type?: unknown } | undefined)?.type === 'css parsing') return;
  consoleError(...args);
});
