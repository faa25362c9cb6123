import { CreateLogs1764028800000 } from './1764028800000-create-logs';
import { IndexLogsId1764115200000 } from './1764115200000-index-logs-id';
import { CreateAlertRules1764288000000 } from './1764288000000-create-alert-rules';
import { CountRollups1764460800000 } from './1764460800000-count-rollups';
import { SubstringSketches1764547200000 } from './1764547200000-substring-sketches';
import { HourlySketches1764633600000 } from './1764633600000-hourly-sketches';

/** Every migration, in order. A schema change is a new file here, never an edit of an applied one. */
export const MIGRATIONS = [
  CreateLogs1764028800000,
  IndexLogsId1764115200000,
  CreateAlertRules1764288000000,
  CountRollups1764460800000,
  SubstringSketches1764547200000,
  HourlySketches1764633600000,
];
