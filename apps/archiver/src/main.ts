import { runLogyard } from '@logyard/runtime';
import { ArchiverModule } from './archiver.module';

void runLogyard('archiver', [ArchiverModule]);
