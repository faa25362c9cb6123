import { Module } from '@nestjs/common';
import { RouterService } from './router.service';
import { TailController } from './tail/tail.controller';
import { TailService } from './tail/tail.service';

/** Validates and normalises everything on the ingest exchange onto the clean logs bus, and tails it live. */
@Module({ controllers: [TailController], providers: [RouterService, TailService] })
export class RouterModule {}
