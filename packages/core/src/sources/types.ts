import type { Snapshot } from '../model/snapshot';
import type { LocatedDocument } from '../util/located';

/** A file handed to the sources: its path relative to the scanned root (forward slashes) and its text. */
export interface SourceFile {
  file: string;
  text: string;
}

/** A YAML or JSON file, parsed once by the loader and offered to every document source. */
export interface ParsedFile extends SourceFile {
  format: 'json' | 'yaml';
  documents: LocatedDocument[];
}

/**
 * A static source that reads parsed YAML/JSON documents. `claims` looks at one document's content (never at the
 * file name alone); `read` turns the documents it claimed into Snapshot facts.
 */
export interface DocumentSource {
  name: string;
  claims(document: LocatedDocument, file: ParsedFile): boolean;
  read(documents: LocatedDocument[], file: ParsedFile): Snapshot;
}
