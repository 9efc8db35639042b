/* A foreign subject: a small C library of the kind a user brings, with one behaviour per function, each a
 * known truth for leakcheck's verdicts (tests/subjects/README.md). Nothing in it knows of leakcheck. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CACHE_SLOTS 1000
#define CACHE_ENTRY 512

static void *cache[CACHE_SLOTS];

static void *touched(size_t size) {
    char *block = malloc(size);
    if (block != NULL) memset(block, 0x5a, size);
    return block;
}

/* Frees all it allocates. */
int subject_clean(int i) {
    (void)i;
    void *block = touched(1024);
    free(block);
    return block != NULL;
}

/* Loses `size` bytes a call. */
int subject_leak(int i, int size) {
    (void)i;
    return touched((size_t)size) != NULL;
}

/* Loses 4 KiB on every 100th call. */
int subject_leak_every_100(int i) {
    if (i % 100 == 99) return touched(4096) != NULL;
    return 1;
}

/* A bounded cache: the first CACHE_SLOTS distinct keys allocate an entry, then every key is a hit. */
int subject_cache(int i) {
    int slot = i % CACHE_SLOTS;
    if (cache[slot] == NULL) cache[slot] = touched(CACHE_ENTRY);
    return cache[slot] != NULL;
}

/* Opens a file descriptor a call and never closes it. */
int subject_fd(int i) {
    (void)i;
    return open("/dev/null", O_RDONLY | O_CLOEXEC) >= 0;
}

static void *parked(void *unused) {
    (void)unused;
    for (;;) pause();
    return NULL;
}

/* Starts a thread a call that never ends. */
int subject_thread(int i) {
    (void)i;
    pthread_t thread;
    pthread_attr_t attributes;
    pthread_attr_init(&attributes);
    pthread_attr_setstacksize(&attributes, 256 * 1024);
    int started = pthread_create(&thread, &attributes, parked, NULL) == 0;
    pthread_attr_destroy(&attributes);
    if (started) pthread_detach(thread);
    return started;
}

/* A buffer its owner must give back with subject_release (a binding frees it from a finalizer). */
void *subject_acquire(int size) { return touched((size_t)size); }
void subject_release(void *buffer) { free(buffer); }
