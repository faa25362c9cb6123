import { Type } from '@nestjs/common';
import { ArchiverModule } from '@logyard/archiver';
import { CollectorModule } from '@logyard/collector';
import { Target } from '@logyard/config';
import { RouterModule } from '@logyard/router';
import { parseTarget, runLogyard } from '@logyard/runtime';

/** The one binary: every role in one process by default, or one role with --target. */
const ROLES: Record<Target, Type[]> = {
  all: [CollectorModule, RouterModule, ArchiverModule],
  collector: [CollectorModule],
  router: [RouterModule],
  archiver: [ArchiverModule],
};

const target = parseTarget(process.argv.slice(2));
void runLogyard(target, ROLES[target]);
