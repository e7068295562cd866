<?php

declare(strict_types=1);

namespace OrderRelay;

/** HTTP 401: the publisher key is missing or wrong. Not retried: the same key cannot succeed. */
final class AuthenticationException extends OrderRelayException
{
}
