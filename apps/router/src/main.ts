import { runLogyard } from '@logyard/runtime';
import { RouterModule } from './router.module';

void runLogyard('router', [RouterModule]);
