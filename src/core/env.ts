/** Environment variables as a command reads them: process.env, or the one a test or a scheduled job hands in. */
export type Env = Record<string, string | undefined>;
