<?php
/**
 * notify_order(): tell OrderRelay about a new order, from any PHP shop.
 *
 * With Composer this file is autoloaded. Without it, require this one file: it loads the rest.
 *
 *     require '/path/to/clients/php/src/functions.php';
 *     notify_order(['order_id' => 123456, 'merchant_id' => 'm-1001', 'order_amount' => 100.5]);
 */

declare(strict_types=1);

require_once __DIR__ . '/OrderRelayException.php';
require_once __DIR__ . '/AuthenticationException.php';
require_once __DIR__ . '/OrderRejectedException.php';
require_once __DIR__ . '/RelayUnavailableException.php';
require_once __DIR__ . '/RelayClient.php';

if (!function_exists('notify_order')) {
    /**
     * Publishes one order to the relay named by ORDERRELAY_URL (constant or environment variable,
     * default http://127.0.0.1:8080) with the key ORDERRELAY_KEY (none in open mode), and returns
     * its answer once stored: ['seq' => int, 'duplicate' => bool].
     *
     * @param array       $order_data      The order as the merchant page should receive it, with 'merchant_id'.
     * @param string|null $idempotency_key Default 'ord-<order_id>': calling again never shows the order twice.
     * @param array       $options         See OrderRelay\RelayClient (timeout, attempts, retry_delay, max_retry_delay, on_retry).
     * @throws \OrderRelay\OrderRelayException When the relay refuses the order or cannot be reached; the message says why.
     */
    function notify_order(array $order_data, ?string $idempotency_key = null, array $options = []): array
    {
        return \OrderRelay\RelayClient::fromEnvironment($options)->publish($order_data, $idempotency_key);
    }
}
