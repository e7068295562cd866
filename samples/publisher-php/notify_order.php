<?php
/**
 * Publishes one order to OrderRelay from the command line, with the clients/php library:
 * a quick way to check a deployment, and an example of calling notify_order().
 *
 *   ORDERRELAY_URL=http://127.0.0.1:8080 ORDERRELAY_KEY=... php notify_order.php '{"order_id":1,"merchant_id":"m-1001","order_amount":9.5}'
 *
 * A shop requires the library the same way (or installs it with Composer) and calls
 * notify_order($order) right after the order is committed to its database.
 */

declare(strict_types=1);

require __DIR__ . '/../../clients/php/src/functions.php';

use OrderRelay\OrderRelayException;

if (PHP_SAPI !== 'cli' || realpath($argv[0] ?? '') !== __FILE__) {
    return; // required by a shop (or a test) for notify_order() only
}

$order = isset($argv[1])
    ? json_decode($argv[1], true)
    : ['order_id' => random_int(100000, 999999), 'merchant_id' => 'm-1001', 'customer_name' => '张三', 'order_amount' => 100.00, 'currency' => 'CNY'];
if (!is_array($order)) {
    fwrite(STDERR, "The argument must be the order as a JSON object.\n");
    exit(2);
}

try {
    $answer = notify_order($order, null, [
        'on_retry' => static function (int $attempt, float $delay, string $reason): void {
            fwrite(STDERR, sprintf("Attempt %d in %.1f s, with the same idempotency key (%s)\n", $attempt, $delay, $reason));
        },
    ]);
    echo 'Stored as seq ' . $answer['seq'] . ($answer['duplicate'] ? ' (already stored before)' : '') . PHP_EOL;
    exit(0);
} catch (OrderRelayException $e) {
    fwrite(STDERR, $e->getMessage() . PHP_EOL);
    exit(1);
}
