import { runLogyard } from '@logyard/runtime';
import { CollectorModule } from './collector.module';

void runLogyard('collector', [CollectorModule]);
