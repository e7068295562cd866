// The floor under any relay on this machine: one 600-byte write to each of N loopback TCP
// sockets per round (one order fanned out to N subscribers, one send each, nothing batched),
// R rounds with an optional pause between them; a second process reads every socket with epoll.
// Prints the sender's and the reader's CPU per message and the wall time of one round.
//
//   gcc -O2 -o /tmp/fanout bench/floor/loopback_fanout.c
//   /tmp/fanout 1000 200 5000    # 1,000 sockets, 200 rounds, 5 ms apart (200,000 messages/s if it keeps up)
#include <arpa/inet.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

enum { MessageBytes = 600 };

static double wall_seconds(void)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return now.tv_sec + now.tv_nsec / 1e9;
}

static double cpu_seconds(void)
{
    struct rusage usage;
    getrusage(RUSAGE_SELF, &usage);
    return usage.ru_utime.tv_sec + usage.ru_utime.tv_usec / 1e6 + usage.ru_stime.tv_sec + usage.ru_stime.tv_usec / 1e6;
}

static void read_everything(struct sockaddr_in server, int sockets, int rounds)
{
    int poll = epoll_create1(0);
    for (int i = 0; i < sockets; i++) {
        int fd = socket(AF_INET, SOCK_STREAM, 0);
        if (connect(fd, (struct sockaddr *)&server, sizeof server) != 0) {
            perror("connect");
            exit(1);
        }
        struct epoll_event interest = { .events = EPOLLIN, .data.fd = fd };
        epoll_ctl(poll, EPOLL_CTL_ADD, fd, &interest);
    }

    long expected = (long)sockets * rounds * MessageBytes, received = 0;
    static char buffer[65536];
    struct epoll_event ready[256];
    while (received < expected) {
        int count = epoll_wait(poll, ready, 256, 10000);
        if (count <= 0) {
            fprintf(stderr, "reader: timed out with %ld of %ld bytes\n", received, expected);
            exit(1);
        }
        for (int i = 0; i < count; i++) {
            ssize_t got = read(ready[i].data.fd, buffer, sizeof buffer);
            if (got > 0) {
                received += got;
            }
        }
    }
    printf("reader CPU per message %.2f us\n", cpu_seconds() * 1e6 / ((double)sockets * rounds));
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: %s SOCKETS ROUNDS [PAUSE_MICROSECONDS]\n", argv[0]);
        return 2;
    }
    int sockets = atoi(argv[1]), rounds = atoi(argv[2]), pause_us = argc > 3 ? atoi(argv[3]) : 0;

    int listener = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in server = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    socklen_t length = sizeof server;
    if (bind(listener, (struct sockaddr *)&server, sizeof server) != 0 || listen(listener, 4096) != 0 ||
        getsockname(listener, (struct sockaddr *)&server, &length) != 0) {
        perror("listen");
        return 1;
    }

    pid_t reader = fork();
    if (reader == 0) {
        read_everything(server, sockets, rounds);
        return 0;
    }

    int *subscribers = malloc(sizeof(int) * sockets), one = 1;
    for (int i = 0; i < sockets; i++) {
        subscribers[i] = accept(listener, NULL, NULL);
        setsockopt(subscribers[i], IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    }

    char message[MessageBytes];
    memset(message, 'x', sizeof message);
    double cpu_start = cpu_seconds(), wall_start = wall_seconds(), slowest_round = 0;
    for (int round = 0; round < rounds; round++) {
        double round_start = wall_seconds();
        for (int i = 0; i < sockets; i++) {
            if (write(subscribers[i], message, sizeof message) != sizeof message) {
                perror("write");
                return 1;
            }
        }
        double took = wall_seconds() - round_start;
        slowest_round = took > slowest_round ? took : slowest_round;
        if (pause_us > 0) {
            usleep(pause_us);
        }
    }

    double messages = (double)sockets * rounds;
    printf("sender CPU per message %.2f us; one round (a message to every socket) %.2f ms on average, %.2f ms at most; %d sockets x %d rounds\n",
        (cpu_seconds() - cpu_start) * 1e6 / messages, (wall_seconds() - wall_start) * 1e3 / rounds - pause_us / 1e3, slowest_round * 1e3,
        sockets, rounds);
    int status;
    waitpid(reader, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}
