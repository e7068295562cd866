<?php

declare(strict_types=1);

namespace OrderRelay;

/**
 * The relay refused the order or could not be reached. The message says why (the relay's
 * RFC 9457 problem detail when it answered); the code is the HTTP status (0: no answer).
 * The shop's own order is unaffected: only the merchant's page was not told.
 */
class OrderRelayException extends \RuntimeException
{
    public function __construct(string $message, int $status = 0, private readonly ?string $relayCode = null)
    {
        parent::__construct($message, $status);
    }

    /** The relay's error code (auth_failed, bad_frame, too_large, rate_limited...), when it answered. */
    public function getRelayCode(): ?string
    {
        return $this->relayCode;
    }
}
