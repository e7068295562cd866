<?php
// A shop backend written the way the seed's was: it opens a WebSocket to the push server with
// a bare stream socket, writes each new order as its JSON in one masked text frame, says
// goodbye and leaves. No hello, no acks: the seed's server spoke no protocol of its own.
//
//   SEED_RELAY_URL=ws://127.0.0.1:8080/seed?key=... php seed_backend.php '{"order_id":1,...}' ...
//
// Test fixture only: prints each order it sent ("sent <json>") and how the server closed
// ("close <code> <reason>"), so a test can compare bytes and read refusals.

function ws_frame(int $opcode, string $payload): string
{
    $mask = random_bytes(4);
    $length = strlen($payload);
    $head = chr(0x80 | $opcode);
    if ($length < 126) {
        $head .= chr(0x80 | $length);
    } elseif ($length < 65536) {
        $head .= chr(0x80 | 126) . pack('n', $length);
    } else {
        $head .= chr(0x80 | 127) . pack('J', $length);
    }
    $masked = '';
    for ($i = 0; $i < $length; $i++) {
        $masked .= $payload[$i] ^ $mask[$i % 4];
    }
    return $head . $mask . $masked;
}

function read_exactly($socket, int $length): string
{
    $data = '';
    while (strlen($data) < $length) {
        $chunk = fread($socket, $length - strlen($data));
        if ($chunk === false || $chunk === '') {
            throw new RuntimeException('connection ended');
        }
        $data .= $chunk;
    }
    return $data;
}

function push_orders(string $url, array $orders): void
{
    $parts = parse_url($url);
    $host = $parts['host'];
    $port = $parts['port'] ?? 80;
    $target = ($parts['path'] ?? '/') . (isset($parts['query']) ? '?' . $parts['query'] : '');
    $socket = stream_socket_client("tcp://$host:$port", $errno, $error, 5);
    if ($socket === false) {
        throw new RuntimeException("cannot connect: $error");
    }
    stream_set_timeout($socket, 10);
    $key = base64_encode(random_bytes(16));
    fwrite($socket, "GET $target HTTP/1.1\r\nHost: $host:$port\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        . "Sec-WebSocket-Key: $key\r\nSec-WebSocket-Version: 13\r\n\r\n");
    $head = '';
    while (!str_contains($head, "\r\n\r\n")) {
        $head .= read_exactly($socket, 1);
    }
    if (!str_starts_with($head, 'HTTP/1.1 101')) {
        echo 'refused ', strtok($head, "\r\n"), "\n";
        fclose($socket);
        return;
    }

    foreach ($orders as $order) {
        fwrite($socket, ws_frame(0x1, $order));
        echo "sent $order\n";
    }
    fwrite($socket, ws_frame(0x8, pack('n', 1000)));

    // Whatever the server still sends, up to its close frame.
    while (true) {
        [$first, $second] = array_values(unpack('C2', read_exactly($socket, 2)));
        $length = $second & 0x7f;
        if ($length === 126) {
            $length = unpack('n', read_exactly($socket, 2))[1];
        } elseif ($length === 127) {
            $length = unpack('J', read_exactly($socket, 8))[1];
        }
        $payload = $length > 0 ? read_exactly($socket, $length) : '';
        if (($first & 0x0f) === 0x8) {
            $code = strlen($payload) >= 2 ? unpack('n', $payload)[1] : 1005;
            echo 'close ', $code, ' ', substr($payload, 2), "\n";
            break;
        }
    }
    fclose($socket);
}

push_orders(getenv('SEED_RELAY_URL') ?: 'ws://127.0.0.1:8080/', array_slice($argv, 1));
