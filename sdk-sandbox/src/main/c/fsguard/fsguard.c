/*
 * keel-fsguard: a preload library for qemu that enforces a sandbox's workspace write limit where the writes
 * happen, in the 9p server. qemu's 9p "local" backend reaches every workspace file through descriptors that
 * descend from the workspace root it opens at start (openat with O_NOFOLLOW, component by component), so the
 * guard marks those descriptors and accounts what happens through them:
 *   - bytes: growth of a file's apparent size (writes past the end, ftruncate, fallocate), so sparse files count
 *     in full; shrinking, truncating and unlinking the last link give bytes back;
 *   - files: new directory entries (files, directories, nodes, links); removing one gives it back.
 * A write that would pass the byte limit fails with ENOSPC, a creation past the file limit with EDQUOT, before
 * anything reaches the host's disk. Concurrent writes to one file may be counted twice (never less than their
 * real growth): the guard errs towards refusing.
 *
 * It also lets the guest read host-made symlinks: with security_model=mapped-xattr qemu reads a symlink's target
 * from the file's content, which for a real host symlink fails with ELOOP; the guard answers such an open with a
 * memfd holding the link's target (what the guest's readlink needs), never with what the link points to.
 *
 * Configuration comes from the file named by KEEL_FSGUARD_STATE (see fsguard.h); without it the guard does nothing.
 */
#define _GNU_SOURCE
#include "fsguard.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <unistd.h>

#define MAX_ROOTS 64
#define MAX_TRACKED_FD 65536

static struct fsg_state *state;
static const char *roots[MAX_ROOTS];
static size_t root_len[MAX_ROOTS];
static unsigned nroots;
/* one bit per descriptor: it refers to something inside a read-write workspace */
static unsigned char marked[MAX_TRACKED_FD / 8];

#define REAL(name) static __typeof__(name) *real_##name; if (!real_##name) real_##name = dlsym(RTLD_NEXT, #name)

static int is_marked(int fd) {
    if (!state || fd < 0 || fd >= MAX_TRACKED_FD) return 0;
    return (__atomic_load_n(&marked[fd / 8], __ATOMIC_RELAXED) >> (fd % 8)) & 1;
}

static void set_mark(int fd, int on) {
    if (fd < 0 || fd >= MAX_TRACKED_FD) return;
    unsigned char bit = (unsigned char) (1u << (fd % 8));
    if (on) __atomic_fetch_or(&marked[fd / 8], bit, __ATOMIC_RELAXED);
    else __atomic_fetch_and(&marked[fd / 8], (unsigned char) ~bit, __ATOMIC_RELAXED);
}

__attribute__((constructor)) static void fsguard_init(void) {
    const char *file = getenv("KEEL_FSGUARD_STATE");
    if (!file) return;
    int fd = open(file, O_RDWR | O_CLOEXEC);
    if (fd < 0) return;
    void *m = mmap(NULL, FSG_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    close(fd);
    if (m == MAP_FAILED) return;
    struct fsg_state *s = m;
    if (s->magic != FSG_MAGIC || s->version != FSG_VERSION) return;
    const char *p = s->roots, *end = (const char *) m + FSG_SIZE;
    for (unsigned i = 0; i < s->root_count && i < MAX_ROOTS && p < end; i++) {
        size_t n = strnlen(p, (size_t) (end - p));
        if (p + n >= end) break;
        roots[nroots] = p;
        root_len[nroots++] = n;
        p += n + 1;
    }
    state = s;
}

/* An absolute path that is a workspace root or lies inside one. */
static int in_workspace(const char *path) {
    if (!state || !path || path[0] != '/') return 0;
    for (unsigned i = 0; i < nroots; i++) {
        if (strncmp(path, roots[i], root_len[i]) == 0 && (path[root_len[i]] == 0 || path[root_len[i]] == '/')) return 1;
    }
    return 0;
}

static int refuse(int err) {
    __atomic_add_fetch(&state->refused, 1, __ATOMIC_RELAXED);
    errno = err;
    return -1;
}

/* Takes n more bytes (n > 0) or gives -n back; refuses (ENOSPC) when the limit would be passed. */
static int take_bytes(int64_t n) {
    if (n <= 0) {
        __atomic_add_fetch(&state->bytes_used, n, __ATOMIC_RELAXED);
        return 0;
    }
    int64_t now = __atomic_add_fetch(&state->bytes_used, n, __ATOMIC_RELAXED);
    if (now > state->byte_limit) {
        __atomic_sub_fetch(&state->bytes_used, n, __ATOMIC_RELAXED);
        return refuse(ENOSPC);
    }
    return 0;
}

static int take_file(int64_t n) {
    int64_t now = __atomic_add_fetch(&state->files_used, n, __ATOMIC_RELAXED);
    if (n > 0 && now > state->file_limit) {
        __atomic_sub_fetch(&state->files_used, n, __ATOMIC_RELAXED);
        return refuse(EDQUOT);
    }
    return 0;
}

/* Size of a regular file behind fd, or -1 when it is not one (or fstat fails). */
static int64_t regular_size(int fd) {
    struct stat st;
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) return -1;
    return (int64_t) st.st_size;
}

static int exists_at(int dirfd, const char *name, struct stat *st) {
    return fstatat(dirfd, name, st, AT_SYMLINK_NOFOLLOW) == 0;
}

static void gone(const struct stat *st) {
    take_file(-1);
    if (S_ISREG(st->st_mode) && st->st_nlink == 1) take_bytes(-(int64_t) st->st_size);
}

/* The guest reads a host symlink's target through an open of the link itself: hand it the target as a file. */
static int link_as_file(int dirfd, const char *name) {
    char target[PATH_MAX];
    ssize_t n = readlinkat(dirfd, name, target, sizeof target);
    if (n < 0) { errno = ELOOP; return -1; }
    int fd = memfd_create("keel-symlink", MFD_CLOEXEC);
    if (fd < 0) { errno = ELOOP; return -1; }
    set_mark(fd, 0);
    if (write(fd, target, (size_t) n) != n || lseek(fd, 0, SEEK_SET) != 0) {
        close(fd);
        errno = ELOOP;
        return -1;
    }
    return fd;
}

static int guarded_openat(int (*real)(int, const char *, int, ...), int dirfd, const char *path, int flags,
                          mode_t mode) {
    int inside = path && path[0] == '/' ? in_workspace(path) : (dirfd != AT_FDCWD && is_marked(dirfd));
    if (!inside) {
        int fd = real(dirfd, path, flags, mode);
        set_mark(fd, 0);
        return fd;
    }
    struct stat before;
    int existed = exists_at(dirfd, path, &before);
    int creates = (flags & O_CREAT) && !existed;
    if (creates && take_file(1) < 0) return -1;
    int fd = real(dirfd, path, flags, mode);
    if (fd < 0) {
        int e = errno;
        if (creates) take_file(-1);
        if (e == ELOOP && !(flags & (O_DIRECTORY | O_CREAT | O_PATH)) && (flags & O_ACCMODE) == O_RDONLY
                && existed && S_ISLNK(before.st_mode)) {
            return link_as_file(dirfd, path);
        }
        errno = e;
        return -1;
    }
    if ((flags & O_TRUNC) && existed && S_ISREG(before.st_mode) && (flags & O_ACCMODE) != O_RDONLY) {
        take_bytes(-(int64_t) before.st_size);
    }
    set_mark(fd, 1);
    return fd;
}

static mode_t mode_arg(int flags, va_list ap) {
    return (flags & (O_CREAT | O_TMPFILE)) ? (mode_t) va_arg(ap, int) : 0;
}

int openat(int dirfd, const char *path, int flags, ...) {
    REAL(openat);
    va_list ap; va_start(ap, flags); mode_t mode = mode_arg(flags, ap); va_end(ap);
    return guarded_openat(real_openat, dirfd, path, flags, mode);
}

int openat64(int dirfd, const char *path, int flags, ...) {
    REAL(openat64);
    va_list ap; va_start(ap, flags); mode_t mode = mode_arg(flags, ap); va_end(ap);
    return guarded_openat(real_openat64, dirfd, path, flags, mode);
}

int open(const char *path, int flags, ...) {
    REAL(openat);
    va_list ap; va_start(ap, flags); mode_t mode = mode_arg(flags, ap); va_end(ap);
    return guarded_openat(real_openat, AT_FDCWD, path, flags, mode);
}

int open64(const char *path, int flags, ...) {
    REAL(openat64);
    va_list ap; va_start(ap, flags); mode_t mode = mode_arg(flags, ap); va_end(ap);
    return guarded_openat(real_openat64, AT_FDCWD, path, flags, mode);
}

int close(int fd) {
    REAL(close);
    set_mark(fd, 0);
    return real_close(fd);
}

/* New entries: one file each, refused with EDQUOT past the limit. */
#define CREATE_ENTRY(call, dirfd) \
    if (!is_marked(dirfd)) return call; \
    if (take_file(1) < 0) return -1; \
    int r_ = call; \
    if (r_ < 0) { int e_ = errno; take_file(-1); errno = e_; } \
    return r_

int mkdirat(int dirfd, const char *path, mode_t mode) {
    REAL(mkdirat);
    CREATE_ENTRY(real_mkdirat(dirfd, path, mode), dirfd);
}

int mknodat(int dirfd, const char *path, mode_t mode, dev_t dev) {
    REAL(mknodat);
    CREATE_ENTRY(real_mknodat(dirfd, path, mode, dev), dirfd);
}

int symlinkat(const char *target, int dirfd, const char *path) {
    REAL(symlinkat);
    CREATE_ENTRY(real_symlinkat(target, dirfd, path), dirfd);
}

int linkat(int olddirfd, const char *oldpath, int newdirfd, const char *newpath, int flags) {
    REAL(linkat);
    CREATE_ENTRY(real_linkat(olddirfd, oldpath, newdirfd, newpath, flags), newdirfd);
}

int unlinkat(int dirfd, const char *path, int flags) {
    REAL(unlinkat);
    if (!is_marked(dirfd)) return real_unlinkat(dirfd, path, flags);
    struct stat st;
    int existed = exists_at(dirfd, path, &st);
    int r = real_unlinkat(dirfd, path, flags);
    if (r == 0 && existed) gone(&st);
    return r;
}

static int guarded_rename(int olddirfd, const char *oldpath, int newdirfd, const char *newpath, unsigned flags,
                          int (*call)(int, const char *, int, const char *, unsigned)) {
    if (!is_marked(newdirfd)) return call(olddirfd, oldpath, newdirfd, newpath, flags);
    struct stat target, source;
    int replaced = !(flags & (RENAME_EXCHANGE | RENAME_NOREPLACE)) && exists_at(newdirfd, newpath, &target)
            && exists_at(olddirfd, oldpath, &source) && target.st_ino != source.st_ino;
    int r = call(olddirfd, oldpath, newdirfd, newpath, flags);
    if (r == 0 && replaced) gone(&target);
    return r;
}

static int call_renameat(int od, const char *o, int nd, const char *n, unsigned flags) {
    REAL(renameat);
    (void) flags;
    return real_renameat(od, o, nd, n);
}

static int call_renameat2(int od, const char *o, int nd, const char *n, unsigned flags) {
    REAL(renameat2);
    return real_renameat2(od, o, nd, n, flags);
}

int renameat(int olddirfd, const char *oldpath, int newdirfd, const char *newpath) {
    return guarded_rename(olddirfd, oldpath, newdirfd, newpath, 0, call_renameat);
}

int renameat2(int olddirfd, const char *oldpath, int newdirfd, const char *newpath, unsigned flags) {
    return guarded_rename(olddirfd, oldpath, newdirfd, newpath, flags, call_renameat2);
}

/* Reserves the growth a write of len bytes at off would cause; returns the reservation, or -1 (refused). */
static int64_t reserve_write(int fd, int64_t off, size_t len, int64_t *size_out) {
    int64_t size = regular_size(fd);
    *size_out = size;
    if (size < 0) return 0;
    int64_t end = off + (int64_t) len;
    int64_t growth = end > size ? end - size : 0;
    if (growth > 0 && take_bytes(growth) < 0) return -1;
    return growth;
}

/* After a short write, gives back what was reserved but not written. */
static void settle_write(int64_t reserved, int64_t size, int64_t off, ssize_t written) {
    if (reserved <= 0) return;
    int64_t end = off + (written > 0 ? (int64_t) written : 0);
    int64_t used = end > size ? end - size : 0;
    if (used < reserved) take_bytes(used - reserved);
}

static size_t iov_len(const struct iovec *iov, int n) {
    size_t t = 0;
    for (int i = 0; i < n; i++) t += iov[i].iov_len;
    return t;
}

static int64_t current_offset(int fd) {
    int fl = fcntl(fd, F_GETFL);
    if (fl >= 0 && (fl & O_APPEND)) return regular_size(fd);
    return (int64_t) lseek(fd, 0, SEEK_CUR);
}

#define GUARDED_WRITE(fd, off, len, call) \
    if (!is_marked(fd)) return call; \
    int64_t size_, off_ = (off); \
    int64_t res_ = off_ < 0 ? 0 : reserve_write(fd, off_, len, &size_); \
    if (res_ < 0) return -1; \
    ssize_t w_ = call; \
    if (res_ > 0) { int e_ = errno; settle_write(res_, size_, off_, w_); errno = e_; } \
    return w_

ssize_t pwrite(int fd, const void *buf, size_t n, off_t off) {
    REAL(pwrite);
    GUARDED_WRITE(fd, off, n, real_pwrite(fd, buf, n, off));
}

ssize_t pwrite64(int fd, const void *buf, size_t n, off_t off) {
    REAL(pwrite64);
    GUARDED_WRITE(fd, off, n, real_pwrite64(fd, buf, n, off));
}

ssize_t pwritev(int fd, const struct iovec *iov, int cnt, off_t off) {
    REAL(pwritev);
    GUARDED_WRITE(fd, off, iov_len(iov, cnt), real_pwritev(fd, iov, cnt, off));
}

ssize_t pwritev64(int fd, const struct iovec *iov, int cnt, off_t off) {
    REAL(pwritev64);
    GUARDED_WRITE(fd, off, iov_len(iov, cnt), real_pwritev64(fd, iov, cnt, off));
}

ssize_t pwritev2(int fd, const struct iovec *iov, int cnt, off_t off, int flags) {
    REAL(pwritev2);
    GUARDED_WRITE(fd, off < 0 ? current_offset(fd) : off, iov_len(iov, cnt), real_pwritev2(fd, iov, cnt, off, flags));
}

ssize_t write(int fd, const void *buf, size_t n) {
    REAL(write);
    GUARDED_WRITE(fd, current_offset(fd), n, real_write(fd, buf, n));
}

ssize_t writev(int fd, const struct iovec *iov, int cnt) {
    REAL(writev);
    GUARDED_WRITE(fd, current_offset(fd), iov_len(iov, cnt), real_writev(fd, iov, cnt));
}

static int guarded_truncate(int fd, int64_t length, int (*call)(int, off_t)) {
    if (!is_marked(fd)) return call(fd, (off_t) length);
    int64_t size = regular_size(fd);
    int64_t delta = size < 0 ? 0 : length - size;
    if (delta > 0 && take_bytes(delta) < 0) return -1;
    int r = call(fd, (off_t) length);
    int e = errno;
    if (r < 0 && delta > 0) take_bytes(-delta);
    if (r == 0 && delta < 0) take_bytes(delta);
    errno = e;
    return r;
}

int ftruncate(int fd, off_t length) {
    REAL(ftruncate);
    return guarded_truncate(fd, length, real_ftruncate);
}

int ftruncate64(int fd, off_t length) {
    REAL(ftruncate64);
    return guarded_truncate(fd, length, real_ftruncate64);
}

static int guarded_fallocate(int fd, int mode, off_t off, off_t len, int (*call)(int, int, off_t, off_t)) {
    if (!is_marked(fd) || (mode & FALLOC_FL_KEEP_SIZE)) return call(fd, mode, off, len);
    int64_t size;
    int64_t res = reserve_write(fd, off, (size_t) len, &size);
    if (res < 0) return -1;
    int r = call(fd, mode, off, len);
    if (r < 0 && res > 0) { int e = errno; take_bytes(-res); errno = e; }
    return r;
}

int fallocate(int fd, int mode, off_t off, off_t len) {
    REAL(fallocate);
    return guarded_fallocate(fd, mode, off, len, real_fallocate);
}

int fallocate64(int fd, int mode, off_t off, off_t len) {
    REAL(fallocate64);
    return guarded_fallocate(fd, mode, off, len, real_fallocate64);
}

ssize_t copy_file_range(int in, off_t *in_off, int out, off_t *out_off, size_t len, unsigned flags) {
    REAL(copy_file_range);
    GUARDED_WRITE(out, out_off ? *out_off : current_offset(out), len,
                  real_copy_file_range(in, in_off, out, out_off, len, flags));
}
