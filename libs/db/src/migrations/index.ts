import { CreateLogs1764028800000 } from './1764028800000-create-logs';

/** Every migration, in order. A schema change is a new file here, never an edit of an applied one. */
export const MIGRATIONS = [CreateLogs1764028800000];
