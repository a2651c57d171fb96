/*
 * The kernel's share of `signedToWritten` in test/bench/tick-to-wire.bench.ts, without Node: 620-byte writes
 * on a loopback TCP socket (TCP_NODELAY), one per millisecond, each answered by one byte, timed around
 * `send()` alone. Three peers: a blocked reader on the other CPU (as the simulator is), a blocked reader on
 * the same CPU, a reader polling without blocking on the other CPU.
 *
 *   gcc -O2 -o /tmp/loopback-write-floor test/bench/loopback-write-floor.c && /tmp/loopback-write-floor
 *
 * Prints one line per peer: p50 / p90 / p99 µs of 5,000 writes. Results: docs/benchmarks.md "Tick to wire".
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define WRITES 5000

static double now_us(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1e6 + t.tv_nsec / 1e3;
}

static int compare(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

static void pin(int cpu) {
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(cpu, &set);
  sched_setaffinity(0, sizeof set, &set);
}

static void run(const char *name, int reader_cpu, int polling) {
  int one = 1;
  int listener = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in address = {0};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  bind(listener, (struct sockaddr *)&address, sizeof address);
  listen(listener, 1);
  getsockname(listener, (struct sockaddr *)&address, &length);
  pid_t reader = fork();
  if (reader == 0) {
    pin(reader_cpu);
    int peer = accept(listener, 0, 0);
    char buffer[4096];
    setsockopt(peer, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    for (;;) {
      ssize_t n = recv(peer, buffer, sizeof buffer, polling ? MSG_DONTWAIT : 0);
      if (n == 0) _exit(0);
      if (n > 0) send(peer, "k", 1, 0);
    }
  }
  pin(0);
  int writer = socket(AF_INET, SOCK_STREAM, 0);
  connect(writer, (struct sockaddr *)&address, sizeof address);
  setsockopt(writer, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  char payload[620], answer;
  memset(payload, 'a', sizeof payload);
  double *times = malloc(WRITES * sizeof(double));
  for (int i = 0; i < WRITES; i++) {
    usleep(1000);
    double start = now_us();
    send(writer, payload, sizeof payload, 0);
    times[i] = now_us() - start;
    recv(writer, &answer, 1, 0);
  }
  qsort(times, WRITES, sizeof(double), compare);
  printf("%-40s p50 %6.1f  p90 %6.1f  p99 %6.1f us\n", name, times[WRITES / 2], times[WRITES * 9 / 10],
         times[WRITES * 99 / 100]);
  close(writer);
  close(listener);
  waitpid(reader, 0, 0);
  free(times);
}

int main(void) {
  run("blocked reader, other CPU", 1, 0);
  run("blocked reader, same CPU", 0, 0);
  run("polling reader, other CPU", 1, 1);
  return 0;
}
