import { Module } from '@nestjs/common';
import { RouterService } from './router.service';

/** Validates and normalises everything on the ingest exchange onto the clean logs bus. */
@Module({ providers: [RouterService] })
export class RouterModule {}
