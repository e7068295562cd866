<?php
/**
 * notify_order(): tell OrderRelay about a new order, from any PHP shop.
 *
 * Paste this file into the shop (or require it) and call notify_order($order) right
 * after the order is committed to the shop's database. It uses POST /publish with
 * PHP's own HTTP stream wrapper: no Composer package and no curl extension needed.
 *
 * Configuration, by constant or environment variable:
 *   ORDERRELAY_URL  base URL of the relay (default http://127.0.0.1:8080)
 *   ORDERRELAY_KEY  publisher key, when the relay has keys configured (default: none, open mode)
 *
 * Run directly (php notify_order.php '{"order_id":1,...}') it publishes one order and
 * prints the relay's answer: a quick way to check a deployment.
 */

declare(strict_types=1);

final class OrderRelayException extends RuntimeException
{
}

/**
 * Publishes one order and returns the relay's answer, ['seq' => int, 'duplicate' => bool].
 *
 * The order's own id is sent as the Idempotency-Key, so calling again after a timeout
 * or a crash never delivers the order twice (the relay answers 'duplicate' => true).
 *
 * @param array $order_data The order as the merchant page should receive it; must
 *                          carry 'merchant_id' so it reaches that merchant's page.
 * @throws OrderRelayException When the relay cannot be reached or refuses the order;
 *                             the message says why. The shop's own order is unaffected.
 */
function notify_order(array $order_data, float $timeout_seconds = 5.0): array
{
    $base = rtrim(orderrelay_setting('ORDERRELAY_URL', 'http://127.0.0.1:8080'), '/');
    $key = orderrelay_setting('ORDERRELAY_KEY', '');

    // Keep amounts as written (100.00, not 100.0) and names as UTF-8 (张三, not \u5f20\u4e09).
    if (array_is_list($order_data) && $order_data !== []) {
        throw new OrderRelayException('The order must be an associative array (a JSON object), not a list.');
    }
    $body = json_encode((object) $order_data, JSON_UNESCAPED_UNICODE | JSON_UNESCAPED_SLASHES | JSON_PRESERVE_ZERO_FRACTION);
    if ($body === false) {
        throw new OrderRelayException('The order cannot be encoded as JSON: ' . json_last_error_msg());
    }

    $headers = ['Content-Type: application/json', 'Accept: application/json'];
    if (isset($order_data['order_id'])) {
        $headers[] = 'Idempotency-Key: ord-' . $order_data['order_id'];
    }
    if ($key !== '') {
        $headers[] = 'Authorization: Bearer ' . $key;
    }

    $context = stream_context_create([
        'http' => [
            'method' => 'POST',
            'header' => implode("\r\n", $headers),
            'content' => $body,
            'timeout' => $timeout_seconds,
            'ignore_errors' => true, // read the relay's explanation on 4xx/5xx too
        ],
    ]);

    $error = null;
    set_error_handler(static function (int $severity, string $message) use (&$error): bool {
        $error = $message;
        return true;
    });
    try {
        $response = file_get_contents($base . '/publish', false, $context);
    } finally {
        restore_error_handler();
    }
    if ($response === false) {
        throw new OrderRelayException("OrderRelay at $base could not be reached: " . ($error ?? 'no answer'));
    }

    $status = orderrelay_status($http_response_header ?? []);
    $answer = json_decode($response, true);
    if ($status !== 200 || !is_array($answer) || !isset($answer['seq'])) {
        // Errors come as RFC 9457 problem details: 'detail' (or 'title') says why.
        $why = is_array($answer) ? ($answer['detail'] ?? $answer['title'] ?? $response) : $response;
        throw new OrderRelayException("OrderRelay refused the order (HTTP $status): $why", $status);
    }

    return ['seq' => (int) $answer['seq'], 'duplicate' => (bool) ($answer['duplicate'] ?? false)];
}

function orderrelay_setting(string $name, string $default): string
{
    if (defined($name)) {
        return (string) constant($name);
    }
    $value = getenv($name);
    return $value === false || $value === '' ? $default : $value;
}

/** The status code of the last response in $http_response_header (after any redirect). */
function orderrelay_status(array $response_headers): int
{
    $status = 0;
    foreach ($response_headers as $line) {
        if (preg_match('#^HTTP/\S+\s+(\d{3})#', $line, $match)) {
            $status = (int) $match[1];
        }
    }
    return $status;
}

if (PHP_SAPI === 'cli' && isset($argv[0]) && realpath($argv[0]) === __FILE__) {
    $order = isset($argv[1])
        ? json_decode($argv[1], true)
        : ['order_id' => random_int(100000, 999999), 'merchant_id' => 'm-1001', 'customer_name' => '张三', 'order_amount' => 100.00, 'currency' => 'CNY'];
    if (!is_array($order)) {
        fwrite(STDERR, "The argument must be the order as a JSON object.\n");
        exit(2);
    }
    try {
        $answer = notify_order($order);
        echo 'Stored as seq ' . $answer['seq'] . ($answer['duplicate'] ? ' (already stored before)' : '') . PHP_EOL;
        exit(0);
    } catch (OrderRelayException $e) {
        fwrite(STDERR, $e->getMessage() . PHP_EOL);
        exit(1);
    }
}
