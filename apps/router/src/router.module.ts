import { Module } from '@nestjs/common';
import { RouterService } from './router.service';
import { TailAmqpConnection } from './tail/tail-amqp.connection';
import { TailController } from './tail/tail.controller';
import { TailService } from './tail/tail.service';

/** Validates and normalises everything on the ingest exchange onto the clean logs bus, and tails it live. */
@Module({ controllers: [TailController], providers: [RouterService, TailAmqpConnection, TailService] })
export class RouterModule {}

/** The connection live tails run on; tests inspect their exclusive queues through it. */
export { TailAmqpConnection };
