<?php

declare(strict_types=1);

namespace OrderRelay;

/** HTTP 400/413 and other 4xx: the relay refused this order as it is. Not retried: sending it again cannot help. */
final class OrderRejectedException extends OrderRelayException
{
}
