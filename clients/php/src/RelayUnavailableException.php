<?php

declare(strict_types=1);

namespace OrderRelay;

/**
 * Every attempt failed: no answer, 5xx, or 429 (rate limited) each time. The order may or may
 * not be stored; publishing it again later with the same idempotency key is always safe.
 */
final class RelayUnavailableException extends OrderRelayException
{
}
