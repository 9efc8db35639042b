/* What the preload counter's tests drive: one allocation pattern per mode, the live blocks and bytes read
 * (through the library's leakcheck_preload_counts) before and after it, printed as `before_blocks
 * before_bytes after_blocks after_bytes` once everything was measured (printing allocates nothing: write).
 *
 *   allocations MODE N SIZE   MODE: leak, clean, calloc, calloc-clean, realloc, realloc-clean, aligned,
 *                             aligned-clean, threads (N <= 64 threads each allocating SIZE bytes 100 times,
 *                             freed by the main thread), threads-leak (not freed), churn (N threads one after another, each leaking one block)
 *   allocations fork N SIZE   leaks N blocks, forks; the child leaks N more and exits; prints its own figures
 *   allocations exec N SIZE   leaks N blocks, forks; the child execs `allocations leak N SIZE`
 *   allocations exit-with FDS THREADS   opens FDS descriptors and starts THREADS sleeping threads, then exits
 *   allocations hang N SIZE   leaks N blocks, prints "ready", then sleeps until killed */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <fcntl.h>
#include <malloc.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

typedef void (*counts_fn)(int64_t *, int64_t *);
static counts_fn counts;
static size_t size;
static int n;

static void now(int64_t out[2]) {
    out[0] = out[1] = -1;
    if (counts) counts(&out[0], &out[1]);
}

static void say(const char *text) { (void)!write(1, text, strlen(text)); }

static void report(const int64_t before[2], const int64_t after[2]) {
    char line[160];
    snprintf(line, sizeof line, "%lld %lld %lld %lld\n", (long long)before[0], (long long)before[1],
             (long long)after[0], (long long)after[1]);
    say(line);
}

static void *touch(void *p) {
    if (p) memset(p, 1, size);
    return p;
}

static void **blocks(void) { return calloc((size_t)n * 4 + 4, sizeof(void *)); }

static void leak(void) {
    for (int k = 0; k < n; k++) touch(malloc(size));
}

static void *thread_allocations(void *unused) {
    (void)unused;
    void **kept = malloc(100 * sizeof(void *));
    for (int k = 0; k < 100; k++) kept[k] = touch(malloc(size));
    return kept; /* freed by the main thread: a free in another thread than the malloc */
}

static void *one_block(void *unused) {
    (void)unused;
    touch(malloc(size));
    return NULL;
}

static void *sleeper(void *unused) {
    (void)unused;
    for (;;) pause();
    return NULL;
}

static int pattern(const char *mode) {
    void **kept = blocks();
    int m = 0;
    int clean = strstr(mode, "-clean") != NULL;
    if (strncmp(mode, "calloc", 6) == 0) {
        for (int k = 0; k < n; k++) kept[m++] = calloc(1, size);
    } else if (strncmp(mode, "realloc", 7) == 0) {
        for (int k = 0; k < n; k++) {
            void *p = malloc(8);
            p = realloc(p, size / 2);  /* grows, moves or not */
            p = realloc(p, size);
            kept[m++] = touch(p);
        }
        void *gone = malloc(64);
        gone = realloc(gone, 0); /* glibc frees it and returns NULL */
        (void)gone;
    } else if (strncmp(mode, "aligned", 7) == 0) {
        for (int k = 0; k < n; k++) {
            void *p = NULL;
            if (posix_memalign(&p, 64, size) == 0) kept[m++] = p;
            kept[m++] = aligned_alloc(256, (size + 255) / 256 * 256);
            kept[m++] = memalign(4096, size);
            kept[m++] = valloc(size);
        }
    } else {
        for (int k = 0; k < n; k++) kept[m++] = touch(malloc(size));
    }
    if (clean || strcmp(mode, "clean") == 0)
        for (int k = 0; k < m; k++) free(kept[k]);
    free(kept); /* the list only: what it held is leaked unless the mode is clean */
    return 0;
}

int main(int argc, char **argv) {
    counts = (counts_fn)dlsym(RTLD_DEFAULT, "leakcheck_preload_counts");
    if (argc != 4) {
        say("usage: allocations MODE N SIZE\n");
        return 2;
    }
    const char *mode = argv[1];
    n = atoi(argv[2]);
    size = (size_t)atol(argv[3]);
    int64_t before[2], after[2];
    if (strcmp(mode, "exit-with") == 0) {
        for (int k = 0; k < n; k++) open("/dev/null", O_RDONLY);
        pthread_t thread;
        for (size_t k = 0; k < size; k++) pthread_create(&thread, NULL, sleeper, NULL);
        usleep(100000); /* the threads have started */
        exit(0);
    }
    now(before);
    if (strncmp(mode, "threads", 7) == 0) {
        pthread_t threads[64];
        for (int k = 0; k < n; k++) pthread_create(&threads[k], NULL, thread_allocations, NULL);
        for (int k = 0; k < n; k++) {
            void **kept;
            pthread_join(threads[k], (void **)&kept);
            if (strcmp(mode, "threads-leak") != 0)
                for (int j = 0; j < 100; j++) free(kept[j]);
            free(kept);
        }
    } else if (strcmp(mode, "churn") == 0) {
        for (int k = 0; k < n; k++) {
            pthread_t thread;
            pthread_create(&thread, NULL, one_block, NULL);
            pthread_join(thread, NULL);
        }
    } else if (strcmp(mode, "fork") == 0 || strcmp(mode, "exec") == 0) {
        leak();
        pid_t child = fork();
        if (child == 0) {
            if (strcmp(mode, "exec") == 0) {
                execl("/proc/self/exe", argv[0], "leak", argv[2], argv[3], (char *)NULL);
                _exit(127);
            }
            int64_t at_fork[2];
            now(at_fork);
            leak();
            now(after);
            report(at_fork, after);
            exit(0);
        }
        waitpid(child, NULL, 0);
    } else if (strcmp(mode, "hang") == 0) {
        leak();
        now(after);
        report(before, after);
        for (;;) pause();
    } else {
        pattern(mode);
    }
    now(after);
    report(before, after);
    return 0;
}
