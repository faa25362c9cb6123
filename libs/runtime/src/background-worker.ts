import type { BeforeApplicationShutdown, OnApplicationBootstrap } from '@nestjs/common';

/**
 * A component that works in the background of a Logyard app: a source, a consumer, a sink. It starts in
 * onApplicationBootstrap, once every module (the broker and database connections among them) is
 * initialised, and stops in beforeApplicationShutdown, which Nest runs to completion before any
 * onApplicationShutdown: so it finishes or leaves unacked the work in hand while those connections are
 * still open, and they close after it.
 */
export type BackgroundWorker = OnApplicationBootstrap & BeforeApplicationShutdown;
