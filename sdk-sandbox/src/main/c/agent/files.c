/* File operations inside the guest, workspace mounts (9p) and the switch into a Debian root. */
#include "agent.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

int mkdirs(const char *path) {
    char buf[4096];
    size_t len = strlen(path);
    if (len == 0 || len >= sizeof buf) { errno = ENAMETOOLONG; return -1; }
    memcpy(buf, path, len + 1);
    for (char *s = buf + 1; *s; s++) {
        if (*s != '/') continue;
        *s = 0;
        if (mkdir(buf, 0755) < 0 && errno != EEXIST) return -1;
        *s = '/';
    }
    if (mkdir(buf, 0755) < 0 && errno != EEXIST) return -1;
    return 0;
}

void do_read(uint32_t id, struct cur *c) {
    char *path = cur_str(c);
    if (c->bad) { send_text(T_ERROR, id, "malformed read request"); free(path); return; }
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) { send_error(id, path, errno); free(path); return; }
    size_t cap = 65536, n = 0;
    char *buf = malloc(cap);
    if (!buf) die("malloc");
    for (;;) {
        if (n == cap) {
            if (cap >= MAX_FRAME - 16) { close(fd); free(buf); send_error(id, path, EFBIG); free(path); return; }
            cap *= 2;
            char *nb = realloc(buf, cap);
            if (!nb) die("realloc");
            buf = nb;
        }
        ssize_t r = read(fd, buf + n, cap - n);
        if (r < 0) {
            if (errno == EINTR) continue;
            int e = errno;
            close(fd); free(buf); send_error(id, path, e); free(path); return;
        }
        if (r == 0) break;
        n += (size_t) r;
    }
    close(fd);
    send_frame(T_OK, id, buf, n);
    free(buf);
    free(path);
}

void do_write(uint32_t id, struct cur *c) {
    struct write_req req;
    if (decode_write(c, &req) < 0) { send_text(T_ERROR, id, "malformed write request"); return; }
    char *path = req.path;
    char *slash = strrchr(path, '/');
    if (slash && slash != path) { *slash = 0; mkdirs(path); *slash = '/'; }
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, req.mode & 07777);
    if (fd < 0) { send_error(id, path, errno); free(path); return; }
    const unsigned char *p = req.data;
    size_t n = req.len;
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0) {
            if (errno == EINTR) continue;
            int e = errno; close(fd); send_error(id, path, e); free(path); return;
        }
        p += w; n -= (size_t) w;
    }
    if (close(fd) < 0) { send_error(id, path, errno); free(path); return; }
    send_frame(T_OK, id, NULL, 0);
    free(path);
}

/* Entries: u8 kind (0 file, 1 dir, 2 symlink, 3 other), u64 size, u32 mode, string name. */
void do_list(uint32_t id, struct cur *c) {
    char *path = cur_str(c);
    if (c->bad) { send_text(T_ERROR, id, "malformed list request"); free(path); return; }
    DIR *d = opendir(path);
    if (!d) { send_error(id, path, errno); free(path); return; }
    size_t cap = 4096, n = 0;
    unsigned char *buf = malloc(cap);
    if (!buf) die("malloc");
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
        struct stat st;
        if (fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0) continue;
        size_t nl = strlen(e->d_name);
        if (n + 17 + nl > cap) {
            while (n + 17 + nl > cap) cap *= 2;
            unsigned char *nb = realloc(buf, cap);
            if (!nb) die("realloc");
            buf = nb;
        }
        buf[n] = S_ISREG(st.st_mode) ? 0 : S_ISDIR(st.st_mode) ? 1 : S_ISLNK(st.st_mode) ? 2 : 3;
        uint64_t size = (uint64_t) st.st_size;
        put32(buf + n + 1, (uint32_t) (size >> 32));
        put32(buf + n + 5, (uint32_t) size);
        put32(buf + n + 9, (uint32_t) (st.st_mode & 07777));
        put32(buf + n + 13, (uint32_t) nl);
        memcpy(buf + n + 17, e->d_name, nl);
        n += 17 + nl;
    }
    closedir(d);
    send_frame(T_OK, id, buf, n);
    free(buf);
    free(path);
}

/*
 * Open descriptors of the mounted workspaces: a command that starts in one (the default) enters it with fchdir,
 * without a path walk over 9p — a round trip to the host per component with cache=none. A mount point cannot be
 * replaced underneath, so the descriptor stays right.
 */
#define MAX_MOUNTS 16
static struct { char *path; int fd; } mounts[MAX_MOUNTS];
static int nmounts;

int mounted_dir(const char *path) {
    for (int i = 0; i < nmounts; i++) if (strcmp(mounts[i].path, path) == 0) return mounts[i].fd;
    return -1;
}

void do_mount(uint32_t id, struct cur *c) {
    struct mount_req req;
    if (decode_mount(c, &req) < 0) { send_text(T_ERROR, id, "malformed mount request"); return; }
    if (mkdirs(req.path) < 0) { send_error(id, req.path, errno); goto out; }
    if (mount(req.tag, req.path, "9p", (req.ro ? MS_RDONLY : 0) | MS_NODEV,
              "trans=virtio,version=9p2000.L,msize=512000,cache=none") < 0) {
        send_error(id, req.path, errno);
        goto out;
    }
    if (req.alias && req.alias[0] && strcmp(req.alias, req.path) != 0) {
        /* the host path went through a symlink: the path as given leads to the mount too */
        char *slash = strrchr(req.alias, '/');
        if (slash && slash != req.alias) { *slash = 0; mkdirs(req.alias); *slash = '/'; }
        if (symlink(req.path, req.alias) < 0 && errno != EEXIST) { send_error(id, req.alias, errno); goto out; }
    }
    if (nmounts < MAX_MOUNTS) {
        int fd = open(req.path, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (fd >= 0) {
            mounts[nmounts].path = req.path;
            mounts[nmounts++].fd = fd;
            req.path = NULL;  /* kept */
        }
    }
    send_frame(T_OK, id, NULL, 0);
out:
    free_mount(&req);
}

/*
 * Switches the agent (and so every later command and file operation) into a root file system shared
 * read-only over 9p under a tmpfs overlay: the sandbox may change anything, the shared tree never changes,
 * and each sandbox starts clean. Payload: string 9p tag.
 */
void do_root(uint32_t id, struct cur *c) {
    char *tag = cur_str(c);
    const char *step = "malformed root request";
    int err = EINVAL;
    if (c->bad) goto fail;
    err = 0;
    mkdir("/overlay", 0755);
    step = "mount the shared root";
    mkdir("/overlay/lower", 0755);
    if (mount(tag, "/overlay/lower", "9p", MS_RDONLY | MS_NODEV,
              "trans=virtio,version=9p2000.L,msize=512000,cache=loose") < 0) goto fail_errno;
    step = "mount the overlay's tmpfs";
    mkdir("/overlay/rw", 0755);
    /* sized like the busybox root and /tmp (see Initramfs.java): filling them is ENOSPC, not a dead kernel */
    if (mount("rootrw", "/overlay/rw", "tmpfs", 0, "mode=0755,size=25%") < 0) goto fail_errno;
    mkdir("/overlay/rw/upper", 0755);
    mkdir("/overlay/rw/work", 0755);
    mkdir("/overlay/root", 0755);
    step = "mount the overlay";
    if (mount("root", "/overlay/root", "overlay", 0,
              "lowerdir=/overlay/lower,upperdir=/overlay/rw/upper,workdir=/overlay/rw/work") < 0) goto fail_errno;
    static const char *const pseudo[][3] = {
        {"proc", "/overlay/root/proc", "proc"}, {"sys", "/overlay/root/sys", "sysfs"},
        {"dev", "/overlay/root/dev", "devtmpfs"}, {"tmp", "/overlay/root/tmp", "tmpfs"},
    };
    for (size_t i = 0; i < sizeof pseudo / sizeof pseudo[0]; i++) {
        mkdirs(pseudo[i][1]);
        step = pseudo[i][1];
        if (mount(pseudo[i][0], pseudo[i][1], pseudo[i][2], i == 3 ? MS_NOSUID | MS_NODEV : 0,
                  i == 3 ? "mode=1777,size=20%" : NULL) < 0)
            goto fail_errno;
    }
    cg_mount("/overlay/root" CG_ROOT);
    step = "/dev/pts";
    mkdirs("/overlay/root/dev/pts");
    if (mount("devpts", "/overlay/root/dev/pts", "devpts", 0, "mode=620,ptmxmode=666") < 0) goto fail_errno;
    step = "chroot";
    if (chroot("/overlay/root") < 0 || chdir("/") < 0) goto fail_errno;
    send_frame(T_OK, id, NULL, 0);
    free(tag);
    return;
fail_errno:
    err = errno;
fail:
    send_error(id, step, err);
    free(tag);
}
