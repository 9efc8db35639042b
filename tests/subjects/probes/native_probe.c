/* A native probe with no SDK, the way a user writes one: call the library LEAKCHECK_ITERATIONS times. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int subject_clean(int i);
int subject_leak(int i, int size);
int subject_leak_every_100(int i);
int subject_cache(int i);
int subject_fd(int i);
int subject_thread(int i);

static int call(const char *kind, int i) {
    if (strcmp(kind, "clean") == 0) return subject_clean(i);
    if (strcmp(kind, "leak_1k") == 0) return subject_leak(i, 1024);
    if (strcmp(kind, "leak_64") == 0) return subject_leak(i, 64);
    if (strcmp(kind, "leak_16") == 0) return subject_leak(i, 16);
    if (strcmp(kind, "leak_every_100") == 0) return subject_leak_every_100(i);
    if (strcmp(kind, "cache") == 0) return subject_cache(i);
    if (strcmp(kind, "fd") == 0) return subject_fd(i);
    if (strcmp(kind, "thread") == 0) return subject_thread(i);
    fprintf(stderr, "native probe: unknown kind %s\n", kind);
    exit(2);
}

int main(void) {
    const char *kind = getenv("SUBJECT_KIND");
    const char *count = getenv("LEAKCHECK_ITERATIONS");
    int iterations = count != NULL ? atoi(count) : 1000;
    for (int i = 0; i < iterations; i++) {
        if (!call(kind != NULL ? kind : "clean", i)) return 1;
    }
    return 0;
}
