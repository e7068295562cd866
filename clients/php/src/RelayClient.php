<?php

declare(strict_types=1);

namespace OrderRelay;

/**
 * Publishes orders to OrderRelay with POST /publish, using PHP's own HTTP stream wrapper
 * (no curl extension, no Composer needed).
 *
 * Every publish carries an Idempotency-Key, so that a retry never delivers an order twice:
 * the relay answers a key it has seen with the original seq and 'duplicate' => true.
 * Network errors, 5xx and 429 are retried with exponential back-off (honouring Retry-After);
 * other 4xx answers are thrown at once.
 */
final class RelayClient
{
    private const MAX_KEY_LENGTH = 256;

    private readonly string $publishUrl;
    private readonly float $timeout;
    private readonly int $attempts;
    private readonly float $retryDelay;
    private readonly float $maxRetryDelay;
    /** @var (callable(int, float, string): void)|null */
    private readonly mixed $onRetry;

    /**
     * @param string      $baseUrl      The relay's HTTP address, e.g. https://relay.example.com
     * @param string|null $publisherKey Sent as Authorization: Bearer; null for a relay in open mode.
     * @param array{timeout?: float, attempts?: int, retry_delay?: float, max_retry_delay?: float,
     *              on_retry?: callable(int, float, string): void} $options
     *        timeout: seconds per request (5); attempts: tries in all (5); retry_delay: first wait (0.5 s),
     *        doubled each time with jitter up to max_retry_delay (8 s); on_retry: told of each retry
     *        (attempt number, seconds it waits, reason), e.g. to log it.
     */
    public function __construct(string $baseUrl = 'http://127.0.0.1:8080', private readonly ?string $publisherKey = null, array $options = [])
    {
        if (!preg_match('#^https?://#i', $baseUrl)) {
            throw new \InvalidArgumentException("The relay URL must start with http:// or https:// (was '$baseUrl').");
        }
        $this->publishUrl = rtrim($baseUrl, '/') . '/publish';
        $this->timeout = (float) ($options['timeout'] ?? 5.0);
        $this->attempts = (int) ($options['attempts'] ?? 5);
        $this->retryDelay = (float) ($options['retry_delay'] ?? 0.5);
        $this->maxRetryDelay = (float) ($options['max_retry_delay'] ?? 8.0);
        $this->onRetry = $options['on_retry'] ?? null;
        if ($this->timeout <= 0 || $this->attempts < 1 || $this->retryDelay < 0 || $this->maxRetryDelay < $this->retryDelay) {
            throw new \InvalidArgumentException('Options: timeout must be > 0, attempts >= 1, 0 <= retry_delay <= max_retry_delay.');
        }
        if ($this->onRetry !== null && !is_callable($this->onRetry)) {
            throw new \InvalidArgumentException('Options: on_retry must be callable.');
        }
    }

    /** A client configured by the ORDERRELAY_URL and ORDERRELAY_KEY constants or environment variables. */
    public static function fromEnvironment(array $options = []): self
    {
        $key = self::setting('ORDERRELAY_KEY', '');
        return new self(self::setting('ORDERRELAY_URL', 'http://127.0.0.1:8080'), $key === '' ? null : $key, $options);
    }

    /**
     * Publishes one order; returns the relay's answer once it is stored: ['seq' => int, 'duplicate' => bool].
     *
     * @param array|object|string $order The order as the merchant page should receive it (with 'merchant_id').
     *        A string is sent verbatim: the way to keep an amount written as 100.00.
     * @param string|null $idempotencyKey Defaults to 'ord-<order_id>' when the order has an order_id,
     *        so that calling again for the same order, even from another process, never shows it twice.
     * @throws AuthenticationException   HTTP 401: the publisher key was refused.
     * @throws OrderRejectedException    Another 4xx: this order cannot be accepted as it is.
     * @throws RelayUnavailableException No success after every attempt (network, 5xx, 429).
     */
    public function publish(array|object|string $order, ?string $idempotencyKey = null): array
    {
        [$body, $fields] = self::encode($order);
        $idempotencyKey ??= self::defaultKey($fields);
        if ($idempotencyKey === '' || strlen($idempotencyKey) > self::MAX_KEY_LENGTH || preg_match('/[\r\n]/', $idempotencyKey)) {
            throw new \InvalidArgumentException('The idempotency key must be 1 to ' . self::MAX_KEY_LENGTH . ' characters on one line.');
        }

        for ($attempt = 1; ; $attempt++) {
            [$status, $headers, $response, $networkError] = $this->post($body, $idempotencyKey);
            $answer = is_string($response) ? json_decode($response, true) : null;
            if ($status === 200 && is_array($answer) && isset($answer['seq'])) {
                return ['seq' => (int) $answer['seq'], 'duplicate' => (bool) ($answer['duplicate'] ?? false)];
            }

            // Errors come as RFC 9457 problem details: 'detail' (or 'title') says why, 'code' names it.
            $why = $networkError ?? (is_array($answer) ? ($answer['detail'] ?? $answer['title'] ?? $response) : (string) $response);
            $code = is_array($answer) && is_string($answer['code'] ?? null) ? $answer['code'] : null;
            $retryable = $status === 0 || $status === 429 || $status >= 500;
            if (!$retryable) {
                $message = "OrderRelay refused the order (HTTP $status): $why";
                throw $status === 401 ? new AuthenticationException($message, $status, $code) : new OrderRejectedException($message, $status, $code);
            }
            if ($attempt >= $this->attempts) {
                $message = $status === 0
                    ? "OrderRelay at {$this->publishUrl} could not be reached after $attempt attempts: $why"
                    : "OrderRelay could not take the order after $attempt attempts (HTTP $status): $why";
                throw new RelayUnavailableException($message, $status, $code);
            }

            $delay = $this->delayBefore($attempt + 1, $headers);
            if ($this->onRetry !== null) {
                ($this->onRetry)($attempt + 1, $delay, $status === 0 ? $why : "HTTP $status: $why");
            }
            usleep((int) round($delay * 1_000_000));
        }
    }

    /** @return array{0: int, 1: list<string>, 2: string|false, 3: string|null} status (0: no answer), headers, body, network error */
    private function post(string $body, string $idempotencyKey): array
    {
        $headers = ['Content-Type: application/json', 'Accept: application/json', 'Idempotency-Key: ' . $idempotencyKey];
        if ($this->publisherKey !== null && $this->publisherKey !== '') {
            $headers[] = 'Authorization: Bearer ' . $this->publisherKey;
        }
        $context = stream_context_create(['http' => [
            'method' => 'POST',
            'header' => implode("\r\n", $headers),
            'content' => $body,
            'timeout' => $this->timeout,
            'ignore_errors' => true, // read the relay's explanation on 4xx/5xx too
            'follow_location' => 0,  // a redirected POST would lose its body
        ]]);

        $error = null;
        set_error_handler(static function (int $severity, string $message) use (&$error): bool {
            $error = $message;
            return true;
        });
        try {
            $response = file_get_contents($this->publishUrl, false, $context);
            $responseHeaders = function_exists('http_get_last_response_headers') ? (http_get_last_response_headers() ?? []) : ($http_response_header ?? []);
        } finally {
            restore_error_handler();
        }
        if ($response === false || $responseHeaders === []) {
            return [0, [], false, $error ?? 'no answer'];
        }

        return [self::status($responseHeaders), $responseHeaders, $response, null];
    }

    /** Seconds to wait before $attempt: Retry-After when the relay said (capped), else exponential back-off with jitter. */
    private function delayBefore(int $attempt, array $headers): float
    {
        foreach ($headers as $line) {
            if (preg_match('/^Retry-After:\s*(\d+)\s*$/i', $line, $match)) {
                return min((float) $match[1], max($this->maxRetryDelay, 1.0) * 4);
            }
        }
        $exponential = min($this->maxRetryDelay, $this->retryDelay * (2 ** ($attempt - 2)));
        return $exponential * (0.5 + mt_rand() / mt_getrandmax() / 2);
    }

    /** @return array{0: string, 1: array|null} the JSON body, and the order's fields when it is readable */
    private static function encode(array|object|string $order): array
    {
        if (is_string($order)) {
            $fields = json_decode($order, true);
            if (!is_array($fields) || (array_is_list($fields) && $fields !== []) || !str_starts_with(ltrim($order), '{')) {
                throw new \InvalidArgumentException('The order must be a JSON object.');
            }
            return [$order, $fields];
        }
        $fields = is_array($order) ? $order : get_object_vars($order);
        if (is_array($order) && array_is_list($order) && $order !== []) {
            throw new \InvalidArgumentException('The order must be an associative array (a JSON object), not a list.');
        }
        try {
            // Names stay UTF-8 (张三, not \u5f20\u4e09) and a float keeps its .0.
            $body = json_encode((object) $order, JSON_UNESCAPED_UNICODE | JSON_UNESCAPED_SLASHES | JSON_PRESERVE_ZERO_FRACTION | JSON_THROW_ON_ERROR);
        } catch (\JsonException $e) {
            throw new \InvalidArgumentException('The order cannot be encoded as JSON: ' . $e->getMessage(), 0, $e);
        }
        return [$body, $fields];
    }

    private static function defaultKey(?array $fields): string
    {
        $orderId = $fields['order_id'] ?? null;
        return is_int($orderId) || (is_string($orderId) && $orderId !== '')
            ? 'ord-' . $orderId
            : 'php-' . bin2hex(random_bytes(16));
    }

    /** The status code of the last response (after any interim one). */
    private static function status(array $headers): int
    {
        $status = 0;
        foreach ($headers as $line) {
            if (preg_match('#^HTTP/\S+\s+(\d{3})#', $line, $match)) {
                $status = (int) $match[1];
            }
        }
        return $status;
    }

    private static function setting(string $name, string $default): string
    {
        if (defined($name)) {
            return (string) constant($name);
        }
        $value = getenv($name);
        return $value === false || $value === '' ? $default : $value;
    }
}
