/* leakcheck's preload counter: LD_PRELOADed into a probe, it counts the live blocks and bytes of the malloc
 * family (bytes as malloc_usable_size of the real allocator reports them) and publishes them in a small
 * per-process file that the probe's SDK reads at every tick and the harness reads after the probe exits.
 *
 * The file ($LEAKCHECK_PRELOAD_DIR/<pid>.counters, layout below and in docs/protocol.md) is a shared mapping:
 * the counters live in it, so publishing costs nothing and they survive a SIGKILL. A destructor adds the
 * exit snapshot (open fds, threads). Without LEAKCHECK_PRELOAD_DIR the counters stay in this library.
 *
 * Cost: each thread owns a slot and updates it with plain (relaxed, lock-free) stores; a reader sums the
 * slots. Threads beyond the slots, and threads after their TLS destructors ran, share slot 0 with atomic
 * adds. A thread's slot is folded into slot 0 when it exits and reused.
 *
 * Bootstrap: the real functions come from dlsym(RTLD_NEXT), which may itself allocate; calls made while they
 * are being resolved get memory from a static arena, never counted, whose blocks free() ignores.
 * fork: the child gets its own file, starting from the parent's figures (it inherits the parent's heap).
 * exec: the new image starts its file afresh (same pid, new program). */
#define _GNU_SOURCE
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#define EXPORT __attribute__((visibility("default")))
#define LIKELY(x) __builtin_expect(!!(x), 1)
#define UNLIKELY(x) __builtin_expect(!!(x), 0)

/* --- the published layout (version 1; every field a little-endian 64-bit word) ------------------------- */
#define MAGIC 0x314b50434b41454cULL /* "LEAKCPK1" read as a little-endian word */
#define VERSION 1
#define SLOTS 128
#define SLOT_SIZE 64 /* a cache line: no two threads' slots share one */
#define HEADER_SIZE 128
#define STATE_RUNNING 1
#define STATE_EXITED 2 /* the exit snapshot is written */

typedef struct {
    _Atomic int64_t blocks;
    _Atomic int64_t bytes;
    _Atomic int64_t owner; /* 0: free; 1: a live thread's (slot 0 is always shared) */
    char pad[SLOT_SIZE - 3 * sizeof(int64_t)];
} slot_t;

typedef struct {
    uint64_t magic;
    uint64_t version;
    uint64_t slot_count;
    uint64_t slot_size;
    uint64_t slots_offset;
    int64_t pid;
    _Atomic int64_t state;
    int64_t exit_blocks;
    int64_t exit_bytes;
    int64_t exit_fds;
    int64_t exit_threads;
    char pad[HEADER_SIZE - 11 * sizeof(int64_t)];
    slot_t slots[SLOTS];
} region_t;

_Static_assert(sizeof(slot_t) == SLOT_SIZE, "slot size");
_Static_assert(offsetof(region_t, slots) == HEADER_SIZE, "header size");

/* Counts made before the file exists (the loader, libc's start-up, constructors before ours) land here and
 * are copied into the file when it is made. */
static region_t boot_region;
static region_t *_Atomic region = &boot_region;
static char directory[4096];

/* 0: no slot yet; > 0: this thread's slot; -1: the thread is exiting (slot 0 from now on). Zero-initialised,
 * so a read before the loader has set up TLS means "no slot" and the call counts in slot 0. */
static __thread int my_slot;
static pthread_key_t exit_key;
static _Atomic int ready; /* the constructor ran: slots may be claimed */

/* --- the real allocator, and the arena that stands in for it while it is being found -------------------- */
static void *(*real_malloc)(size_t);
static void (*real_free)(void *);
static void *(*real_calloc)(size_t, size_t);
static void *(*real_realloc)(void *, size_t);
static int (*real_posix_memalign)(void **, size_t, size_t);
static void *(*real_aligned_alloc)(size_t, size_t);
static void *(*real_memalign)(size_t, size_t);
static void *(*real_valloc)(size_t);
static void *(*real_pvalloc)(size_t);
static size_t (*real_usable)(void *);
static _Atomic int resolving;

#define ARENA_SIZE (256 * 1024)
static _Alignas(64) unsigned char arena[ARENA_SIZE];
static _Atomic size_t arena_used;

static int in_arena(const void *p) {
    return (const unsigned char *)p >= arena && (const unsigned char *)p < arena + ARENA_SIZE;
}

/* A 16-byte header before each block holds its size (realloc of an arena block needs it). */
static void *arena_alloc(size_t size, size_t alignment) {
    if (alignment < 16) alignment = 16;
    size_t need = size + alignment + 16;
    size_t start = atomic_fetch_add(&arena_used, need);
    if (start + need > ARENA_SIZE) return NULL;
    uintptr_t base = (uintptr_t)(arena + start + 16);
    uintptr_t block = (base + alignment - 1) & ~(uintptr_t)(alignment - 1);
    ((size_t *)block)[-1] = size;
    return (void *)block;
}

static size_t arena_size(const void *p) { return ((const size_t *)p)[-1]; }

static void *next(const char *name) { return dlsym(RTLD_NEXT, name); }

static void resolve(void) {
    atomic_store(&resolving, 1);
    real_calloc = next("calloc");
    real_free = next("free");
    real_realloc = next("realloc");
    real_posix_memalign = next("posix_memalign");
    real_aligned_alloc = next("aligned_alloc");
    real_memalign = next("memalign");
    real_valloc = next("valloc");
    real_pvalloc = next("pvalloc");
    real_usable = next("malloc_usable_size");
    void *(*found)(size_t) = next("malloc");
    atomic_store(&resolving, 0);
    real_malloc = found; /* last: a non-null real_malloc means every pointer is set */
}

#define ENSURE_REAL(fallback)                                   \
    do {                                                        \
        if (UNLIKELY(real_malloc == NULL)) {                    \
            if (atomic_load(&resolving)) return (fallback);     \
            resolve();                                          \
            if (real_malloc == NULL) return (fallback);         \
        }                                                       \
    } while (0)

/* --- counting --------------------------------------------------------------------------------------------- */
static void retire(void *unused);

static int claim_slot(region_t *r) {
    for (int k = 1; k < SLOTS; k++) {
        int64_t expected = 0;
        if (atomic_load_explicit(&r->slots[k].owner, memory_order_relaxed) == 0 &&
            atomic_compare_exchange_strong(&r->slots[k].owner, &expected, 1))
            return k;
    }
    return 0;
}

static void count_shared(region_t *r, int64_t blocks, int64_t bytes) {
    atomic_fetch_add_explicit(&r->slots[0].blocks, blocks, memory_order_relaxed);
    atomic_fetch_add_explicit(&r->slots[0].bytes, bytes, memory_order_relaxed);
}

static __attribute__((noinline)) void count_slow(int64_t blocks, int64_t bytes) {
    region_t *r = atomic_load_explicit(&region, memory_order_acquire);
    if (my_slot == 0 && atomic_load_explicit(&ready, memory_order_acquire)) {
        int k = claim_slot(r);
        my_slot = k > 0 ? k : -1;
        /* The key's destructor hands the slot back when the thread exits. A key made early has a place in
         * the thread's static block, so this allocates nothing. */
        if (k > 0) pthread_setspecific(exit_key, (void *)1);
    }
    if (my_slot > 0) {
        slot_t *s = &r->slots[my_slot];
        atomic_store_explicit(&s->blocks, atomic_load_explicit(&s->blocks, memory_order_relaxed) + blocks,
                              memory_order_relaxed);
        atomic_store_explicit(&s->bytes, atomic_load_explicit(&s->bytes, memory_order_relaxed) + bytes,
                              memory_order_relaxed);
        return;
    }
    count_shared(r, blocks, bytes);
}

/* The owner is the only writer of its slot: a relaxed load and store, no locked instruction. */
static inline void count(int64_t blocks, int64_t bytes) {
    int k = my_slot;
    if (LIKELY(k > 0)) {
        slot_t *s = &atomic_load_explicit(&region, memory_order_relaxed)->slots[k];
        atomic_store_explicit(&s->blocks, atomic_load_explicit(&s->blocks, memory_order_relaxed) + blocks,
                              memory_order_relaxed);
        atomic_store_explicit(&s->bytes, atomic_load_explicit(&s->bytes, memory_order_relaxed) + bytes,
                              memory_order_relaxed);
        return;
    }
    count_slow(blocks, bytes);
}

static inline void count_new(void *p) {
    if (p != NULL) count(1, (int64_t)real_usable(p));
}

/* A thread is exiting: its figures go to slot 0 and its slot is free for the next thread. (A reader that
 * sums between the two steps sees them twice, for an instant.) */
static void retire(void *unused) {
    (void)unused;
    int k = my_slot;
    my_slot = -1;
    if (k <= 0) return;
    region_t *r = atomic_load_explicit(&region, memory_order_acquire);
    slot_t *s = &r->slots[k];
    count_shared(r, atomic_load_explicit(&s->blocks, memory_order_relaxed),
                 atomic_load_explicit(&s->bytes, memory_order_relaxed));
    atomic_store_explicit(&s->blocks, 0, memory_order_relaxed);
    atomic_store_explicit(&s->bytes, 0, memory_order_relaxed);
    atomic_store_explicit(&s->owner, 0, memory_order_release);
}

static void totals(const region_t *r, int64_t *blocks, int64_t *bytes) {
    int64_t b = 0, n = 0;
    for (int k = 0; k < SLOTS; k++) {
        b += atomic_load_explicit(&r->slots[k].blocks, memory_order_relaxed);
        n += atomic_load_explicit(&r->slots[k].bytes, memory_order_relaxed);
    }
    *blocks = b;
    *bytes = n;
}

/* --- the interposed functions ---------------------------------------------------------------------------- */
EXPORT void *malloc(size_t size) {
    ENSURE_REAL(arena_alloc(size, 16));
    void *p = real_malloc(size);
    count_new(p);
    return p;
}

EXPORT void *calloc(size_t n, size_t size) {
    if (UNLIKELY(real_malloc == NULL)) {
        size_t total;
        if (__builtin_mul_overflow(n, size, &total)) return NULL;
        if (atomic_load(&resolving)) return arena_alloc(total, 16); /* static memory: already zero */
        resolve();
        if (real_malloc == NULL) return arena_alloc(total, 16);
    }
    void *p = real_calloc(n, size);
    count_new(p);
    return p;
}

EXPORT void free(void *p) {
    if (p == NULL || UNLIKELY(in_arena(p))) return;
    if (UNLIKELY(real_malloc == NULL)) resolve();
    int64_t size = (int64_t)real_usable(p);
    real_free(p);
    count(-1, -size);
}

EXPORT void *realloc(void *p, size_t size) {
    if (p == NULL) return malloc(size);
    if (UNLIKELY(in_arena(p))) {
        void *moved = malloc(size);
        if (moved != NULL) memcpy(moved, p, arena_size(p) < size ? arena_size(p) : size);
        return moved;
    }
    ENSURE_REAL(NULL);
    int64_t before = (int64_t)real_usable(p);
    void *q = real_realloc(p, size);
    if (q != NULL)
        count(0, (int64_t)real_usable(q) - before);
    else if (size == 0) /* glibc frees the block and returns NULL */
        count(-1, -before);
    return q;
}

EXPORT void *reallocarray(void *p, size_t n, size_t size) {
    size_t total;
    if (__builtin_mul_overflow(n, size, &total)) {
        errno = ENOMEM;
        return NULL;
    }
    return realloc(p, total);
}

EXPORT int posix_memalign(void **out, size_t alignment, size_t size) {
    if (UNLIKELY(real_malloc == NULL)) {
        if (atomic_load(&resolving)) {
            *out = arena_alloc(size, alignment);
            return *out ? 0 : ENOMEM;
        }
        resolve();
    }
    int status = real_posix_memalign(out, alignment, size);
    if (status == 0) count_new(*out);
    return status;
}

EXPORT void *aligned_alloc(size_t alignment, size_t size) {
    ENSURE_REAL(arena_alloc(size, alignment));
    void *p = real_aligned_alloc(alignment, size);
    count_new(p);
    return p;
}

EXPORT void *memalign(size_t alignment, size_t size) {
    ENSURE_REAL(arena_alloc(size, alignment));
    void *p = real_memalign(alignment, size);
    count_new(p);
    return p;
}

EXPORT void *valloc(size_t size) {
    ENSURE_REAL(arena_alloc(size, 4096));
    void *p = real_valloc(size);
    count_new(p);
    return p;
}

EXPORT void *pvalloc(size_t size) {
    ENSURE_REAL(arena_alloc((size + 4095) & ~(size_t)4095, 4096));
    void *p = real_pvalloc(size);
    count_new(p);
    return p;
}

EXPORT size_t malloc_usable_size(void *p) {
    if (p == NULL) return 0;
    if (UNLIKELY(in_arena(p))) return arena_size(p);
    if (UNLIKELY(real_malloc == NULL)) resolve();
    return real_usable(p);
}

/* This process's live blocks and bytes (for a reader in the process that can look up a symbol). */
EXPORT void leakcheck_preload_counts(int64_t *blocks, int64_t *bytes) {
    totals(atomic_load_explicit(&region, memory_order_acquire), blocks, bytes);
}

/* --- the file --------------------------------------------------------------------------------------------- */
static void header(region_t *r) {
    r->magic = MAGIC;
    r->version = VERSION;
    r->slot_count = SLOTS;
    r->slot_size = SLOT_SIZE;
    r->slots_offset = HEADER_SIZE;
    r->pid = (int64_t)getpid();
    r->exit_blocks = r->exit_bytes = r->exit_fds = r->exit_threads = 0;
    atomic_store(&r->state, STATE_RUNNING);
}

/* A mapping of <directory>/<pid>.counters holding `from`'s figures, or NULL (no directory, or it cannot be
 * made: the counters then stay in this process). */
static region_t *map_file(const region_t *from) {
    if (directory[0] == '\0') return NULL;
    char path[sizeof directory + 32];
    int length = snprintf(path, sizeof path, "%s/%ld.counters", directory, (long)getpid());
    if (length < 0 || (size_t)length >= sizeof path) return NULL;
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) return NULL;
    void *mapped = MAP_FAILED;
    if (ftruncate(fd, sizeof(region_t)) == 0)
        mapped = mmap(NULL, sizeof(region_t), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    close(fd);
    if (mapped == MAP_FAILED) return NULL;
    region_t *r = mapped;
    memcpy(r->slots, from->slots, sizeof r->slots);
    header(r);
    return r;
}

/* Entries of /proc/self/<what> (less `skip`), read with getdents64 into the stack: nothing is allocated. */
static int64_t count_entries(const char *what, int skip) {
    int fd = open(what, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return -1;
    char buffer[8192];
    int64_t entries = 0;
    for (;;) {
        long n = syscall(SYS_getdents64, fd, buffer, sizeof buffer);
        if (n <= 0) break;
        for (long at = 0; at < n;) {
            const char *name = buffer + at + 19; /* d_ino 8, d_off 8, d_reclen 2, d_type 1 */
            unsigned short reclen;
            memcpy(&reclen, buffer + at + 16, sizeof reclen);
            if (name[0] != '.') entries++;
            at += reclen;
        }
    }
    close(fd);
    return entries - skip;
}

static void __attribute__((destructor)) exit_snapshot(void) {
    region_t *r = atomic_load_explicit(&region, memory_order_acquire);
    int64_t blocks, bytes;
    totals(r, &blocks, &bytes);
    r->exit_blocks = blocks;
    r->exit_bytes = bytes;
    r->exit_fds = count_entries("/proc/self/fd", 1); /* less the descriptor of the listing itself */
    r->exit_threads = count_entries("/proc/self/task", 0);
    atomic_store_explicit(&r->state, STATE_EXITED, memory_order_release);
}

/* The child of a fork: its own file, starting from the parent's figures; the forking thread keeps its slot,
 * the slots of the threads that did not come along are folded into slot 0. */
static void after_fork_in_child(void) {
    region_t *parent = atomic_load_explicit(&region, memory_order_acquire);
    static region_t copy; /* the child's until its file exists, or for good when it cannot be made */
    if (parent != &copy) memcpy(&copy, parent, sizeof copy);
    for (int k = 1; k < SLOTS; k++) {
        if (k == my_slot) continue;
        slot_t *s = &copy.slots[k];
        count_shared(&copy, atomic_load(&s->blocks), atomic_load(&s->bytes));
        atomic_store(&s->blocks, 0);
        atomic_store(&s->bytes, 0);
        atomic_store(&s->owner, 0);
    }
    header(&copy);
    region_t *mine = map_file(&copy);
    atomic_store_explicit(&region, mine != NULL ? mine : &copy, memory_order_release);
    if (parent != &boot_region && parent != &copy) munmap(parent, sizeof(region_t)); /* the parent's file */
}

static void __attribute__((constructor)) start(void) {
    if (real_malloc == NULL) resolve();
    const char *where = getenv("LEAKCHECK_PRELOAD_DIR");
    if (where != NULL && strlen(where) < sizeof directory) strcpy(directory, where);
    header(&boot_region);
    region_t *mine = map_file(&boot_region);
    if (mine != NULL) atomic_store_explicit(&region, mine, memory_order_release);
    if (pthread_key_create(&exit_key, retire) == 0) atomic_store_explicit(&ready, 1, memory_order_release);
    pthread_atfork(NULL, NULL, after_fork_in_child);
}
