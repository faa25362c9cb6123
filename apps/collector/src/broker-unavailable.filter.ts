import { ArgumentsHost, Catch, ExceptionFilter, HttpStatus } from '@nestjs/common';
import type { Response } from 'express';
import { BrokerUnavailableError } from '@logyard/amqp';

/** Seconds a sender should wait before retrying while the broker is away. */
export const RETRY_AFTER_SECONDS = 5;

/** Every source answers 503 + Retry-After when the broker cannot confirm: never a silent drop. */
@Catch(BrokerUnavailableError)
export class BrokerUnavailableFilter implements ExceptionFilter {
  catch(error: BrokerUnavailableError, host: ArgumentsHost): void {
    host
      .switchToHttp()
      .getResponse<Response>()
      .status(HttpStatus.SERVICE_UNAVAILABLE)
      .setHeader('Retry-After', String(RETRY_AFTER_SECONDS))
      .json({ statusCode: 503, error: 'Service Unavailable', message: error.message });
  }
}
