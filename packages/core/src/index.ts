export * from './model/origin';
export * from './model/unknown';
export * from './model/policy';
export * from './model/snapshot';
export * from './model/finding';
export * from './util/located';
export * from './policy/normalize';
export * from './sources/types';
