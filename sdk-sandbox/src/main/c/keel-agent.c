/*
 * Keel guest agent: PID 1 of a Keel microVM after /init has loaded modules.
 *
 * Speaks a framed, binary-safe protocol with the host over a virtio-serial port named "keel.agent".
 * Every frame is: u32 length (big endian, counts the bytes after itself), u8 type, u32 request id,
 * payload. Strings inside payloads are u32 length + bytes (no terminator, may hold any byte).
 *
 * One poll() loop multiplexes the port, every running command's stdout/stderr/stdin pipes and a
 * signalfd for SIGCHLD, so concurrent execs never block each other. Each command runs in its own
 * session (process group), so a signal or kill reaches everything it started.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <net/if.h>
#include <netinet/in.h>
#include <linux/random.h>
#include <sys/ioctl.h>
#include <time.h>
#include <sys/socket.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

enum {
    T_EXEC = 1, T_STDIN = 2, T_SIGNAL = 3, T_READ = 4, T_WRITE = 5, T_LIST = 6, T_SHUTDOWN = 7,
    T_PING = 8, T_MOUNT = 9, T_RESIZE = 10, T_NET_LISTEN = 11, T_RESUMED = 12, T_ROOT = 13,
    T_STARTED = 20, T_STDOUT = 21, T_STDERR = 22, T_EXIT = 23, T_ERROR = 24, T_OK = 25, T_READY = 26,
    /* both directions: a TCP connection to the guest's proxy port, carried over the agent port */
    T_CONN_OPEN = 27, T_CONN_DATA = 28, T_CONN_CLOSE = 29
};

#define MAX_PROCS 256
#define MAX_FRAME (64u << 20)
#define F_PTY 1u

struct proc {
    int used;
    uint32_t id;
    pid_t pid;
    int in, out, err;      /* -1 when closed */
    int reaped, status;
    char *pend;            /* stdin bytes not yet written */
    size_t plen, poff;
    int close_in;          /* close stdin once pend is flushed */
    int pty;
    char cg[64];           /* the command's cgroup ("" when cgroups are unavailable) */
};

static struct proc procs[MAX_PROCS];

/*
 * Network: the guest has no NIC. When the host enables egress, the agent listens on 127.0.0.1:<port>
 * and relays every accepted connection over the agent port to the host's egress proxy.
 */
#define MAX_CONNS 64
struct conn { int used; uint32_t id; int fd; int rd_eof; int host_eof; };
static struct conn conns[MAX_CONNS];
static int listen_fd = -1;
static uint32_t next_conn = 1;
static int port = -1;

static void die(const char *what) {
    fprintf(stderr, "keel-agent: %s: %s\n", what, strerror(errno));
    sleep(1);
    _exit(1);
}

/*
 * Every command runs in its own cgroup (v2) with a pids limit of half the guest's task limit: a fork bomb
 * stops at the limit instead of starving the agent, and cgroup.kill ends the whole tree at once, with no
 * race against processes forked while the kill is delivered.
 */
#define CG_ROOT "/sys/fs/cgroup"
static int cg_ok;
static unsigned cg_seq;
static long cg_pids_max = 512;

static int write_str(const char *path, const char *s) {
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0) return -1;
    ssize_t n = write(fd, s, strlen(s));
    int e = errno;
    close(fd);
    errno = e;
    return n < 0 ? -1 : 0;
}

/* Empty cgroups of finished commands, reused: creating and removing one costs more than the exec itself. */
#define CG_FREE_MAX 16
static char cg_free[CG_FREE_MAX][64];
static int cg_nfree;

/* A cgroup for a new command in out (empty string when none can be had). */
static void cg_take(char *out, size_t n) {
    out[0] = 0;
    if (!cg_ok) return;
    if (cg_nfree > 0) { snprintf(out, n, "%s", cg_free[--cg_nfree]); return; }
    char path[64], max_path[96], limit[32];
    snprintf(path, sizeof path, CG_ROOT "/keel-%u", ++cg_seq);
    snprintf(max_path, sizeof max_path, "%s/pids.max", path);
    snprintf(limit, sizeof limit, "%ld", cg_pids_max);
    if (mkdir(path, 0755) == 0 && write_str(max_path, limit) == 0) snprintf(out, n, "%s", path);
    else rmdir(path);
}

/* Back to the free list once nothing runs in it any more; a cgroup something still runs in stays as it is. */
static void cg_release(const char *cg) {
    if (!cg[0]) return;
    char events[96], b[256] = {0};
    snprintf(events, sizeof events, "%s/cgroup.events", cg);
    int fd = open(events, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return;
    ssize_t r = read(fd, b, sizeof b - 1);
    close(fd);
    if (r <= 0 || !strstr(b, "populated 0")) return;
    if (cg_nfree < CG_FREE_MAX) snprintf(cg_free[cg_nfree++], sizeof cg_free[0], "%s", cg);
    else rmdir(cg);
}

static void cg_mount(const char *at) {
    mkdir(at, 0755);
    mount("cgroup2", at, "cgroup2", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
}

static void cg_setup(void) {
    cg_mount(CG_ROOT);
    cg_ok = write_str(CG_ROOT "/cgroup.subtree_control", "+pids") == 0;
    int fd = open("/proc/sys/kernel/threads-max", O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
        char b[32] = {0};
        if (read(fd, b, sizeof b - 1) > 0 && atol(b) / 2 > 64) cg_pids_max = atol(b) / 2;
        close(fd);
    }
}

static void put32(unsigned char *p, uint32_t v) {
    p[0] = v >> 24; p[1] = v >> 16; p[2] = v >> 8; p[3] = v;
}

static uint32_t get32(const unsigned char *p) {
    return ((uint32_t) p[0] << 24) | ((uint32_t) p[1] << 16) | ((uint32_t) p[2] << 8) | p[3];
}

static void write_all(int fd, const void *buf, size_t n) {
    const char *p = buf;
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0) {
            if (errno == EINTR) continue;
            if (errno == EAGAIN) { struct pollfd pf = {fd, POLLOUT, 0}; poll(&pf, 1, 100); continue; }
            die("write to host");
        }
        p += w; n -= (size_t) w;
    }
}

static void send_frame2(int type, uint32_t id, const void *a, size_t an, const void *b, size_t bn) {
    unsigned char h[9];
    put32(h, (uint32_t) (5 + an + bn));
    h[4] = (unsigned char) type;
    put32(h + 5, id);
    write_all(port, h, 9);
    if (an) write_all(port, a, an);
    if (bn) write_all(port, b, bn);
}

static void send_frame(int type, uint32_t id, const void *a, size_t an) { send_frame2(type, id, a, an, NULL, 0); }

static void send_u32(int type, uint32_t id, uint32_t v) {
    unsigned char b[4];
    put32(b, v);
    send_frame(type, id, b, 4);
}

static void send_error(uint32_t id, const char *what, int err) {
    char msg[512];
    int n = snprintf(msg, sizeof msg, "%s: %s", what, strerror(err));
    send_frame(T_ERROR, id, msg, (size_t) n);
}

/* A cursor over a request payload; any overrun marks it bad instead of reading out of bounds. */
struct cur { const unsigned char *p; size_t n; int bad; };

static uint32_t c32(struct cur *c) {
    if (c->n < 4) { c->bad = 1; return 0; }
    uint32_t v = get32(c->p);
    c->p += 4; c->n -= 4;
    return v;
}

/* Returns a malloc'ed, NUL-terminated copy (embedded NULs make it unusable as a path, which is fine). */
static char *cstr(struct cur *c) {
    uint32_t len = c32(c);
    if (c->bad || len > c->n) { c->bad = 1; return NULL; }
    char *s = malloc(len + 1);
    if (!s) die("malloc");
    memcpy(s, c->p, len);
    s[len] = 0;
    c->p += len; c->n -= len;
    return s;
}

static struct proc *find_proc(uint32_t id) {
    for (int i = 0; i < MAX_PROCS; i++) if (procs[i].used && procs[i].id == id) return &procs[i];
    return NULL;
}

static void set_nonblock(int fd) { fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK); }

static void free_strv(char **v) {
    if (!v) return;
    for (char **p = v; *p; p++) free(*p);
    free(v);
}

static char **read_strv(struct cur *c) {
    uint32_t n = c32(c);
    if (c->bad || n > 65536) { c->bad = 1; return NULL; }
    char **v = calloc(n + 1, sizeof *v);
    if (!v) die("calloc");
    for (uint32_t i = 0; i < n; i++) {
        v[i] = cstr(c);
        if (c->bad) { free_strv(v); return NULL; }
    }
    return v;
}

/* Finds argv[0] like execvp would, but in the command's own PATH (never the agent's environment). */
static int resolve(const char *prog, char **envp, char *out, size_t cap) {
    if (strchr(prog, '/')) {
        if (strlen(prog) >= cap) return ENAMETOOLONG;
        strcpy(out, prog);
        return 0;
    }
    const char *path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
    for (char **e = envp; *e; e++) if (strncmp(*e, "PATH=", 5) == 0) { path = *e + 5; break; }
    int err = ENOENT;
    while (*path) {
        const char *end = strchr(path, ':');
        size_t len = end ? (size_t) (end - path) : strlen(path);
        if (len == 0) { path = end ? end + 1 : path + len; continue; }
        if (len + 1 + strlen(prog) + 1 <= cap) {
            memcpy(out, path, len);
            out[len] = '/';
            strcpy(out + len + 1, prog);
            if (access(out, X_OK) == 0) {
                struct stat st;
                if (stat(out, &st) == 0 && S_ISREG(st.st_mode)) return 0;
            } else if (errno == EACCES) {
                err = EACCES;
            }
        }
        path = end ? end + 1 : path + len;
    }
    return err;
}

static void do_exec(uint32_t id, struct cur *c) {
    uint32_t flags = c32(c);
    char **argv = read_strv(c);
    char **envp = read_strv(c);
    char *cwd = cstr(c);
    if (c->bad || !argv || !argv[0]) {
        send_frame(T_ERROR, id, "malformed exec request", 22);
        goto out;
    }
    if (find_proc(id)) { send_frame(T_ERROR, id, "duplicate request id", 20); goto out; }
    struct proc *p = NULL;
    for (int i = 0; i < MAX_PROCS; i++) if (!procs[i].used) { p = &procs[i]; break; }
    if (!p) { send_frame(T_ERROR, id, "too many concurrent commands", 28); goto out; }

    int in[2] = {-1, -1}, out[2] = {-1, -1}, err[2] = {-1, -1}, st[2], master = -1, slave = -1;
    if (pipe2(st, O_CLOEXEC) < 0) { send_error(id, "pipe", errno); goto out; }
    if (flags & F_PTY) {
        if (openpty(&master, &slave, NULL, NULL, NULL) < 0) {
            send_error(id, "openpty", errno); close(st[0]); close(st[1]); goto out;
        }
    } else if (pipe2(in, O_CLOEXEC) < 0 || pipe2(out, O_CLOEXEC) < 0 || pipe2(err, O_CLOEXEC) < 0) {
        send_error(id, "pipe", errno);
        int fds[] = {in[0], in[1], out[0], out[1], err[0], err[1], st[0], st[1]};
        for (unsigned i = 0; i < 8; i++) if (fds[i] >= 0) close(fds[i]);
        goto out;
    }
    char resolved[4096];
    int rerr = resolve(argv[0], envp, resolved, sizeof resolved);
    if (rerr) {
        send_error(id, "cannot execute program", rerr);
        close(st[0]); close(st[1]);
        if (flags & F_PTY) { close(master); close(slave); }
        else { close(in[0]); close(in[1]); close(out[0]); close(out[1]); close(err[0]); close(err[1]); }
        goto out;
    }
    char cg[64], cg_procs[96] = "";
    cg_take(cg, sizeof cg);
    if (cg[0]) snprintf(cg_procs, sizeof cg_procs, "%s/cgroup.procs", cg);
    /* vfork: the child only calls async-signal-safe functions before execve or _exit */
    pid_t pid = vfork();
    if (pid == 0) {
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
        setsid();
        if (cg_procs[0]) {
            int cfd = open(cg_procs, O_WRONLY | O_CLOEXEC);
            if (cfd >= 0) { (void) !write(cfd, "0", 1); close(cfd); }
        }
        if (flags & F_PTY) {
            ioctl(slave, TIOCSCTTY, 0);
            dup2(slave, 0); dup2(slave, 1); dup2(slave, 2);
        } else {
            dup2(in[0], 0); dup2(out[1], 1); dup2(err[1], 2);
        }
        int e;
        if (cwd[0] && chdir(cwd) < 0) {
            e = errno;
            (void) !write(st[1], "c", 1);
            (void) !write(st[1], &e, sizeof e);
            _exit(127);
        }
        execve(resolved, argv, envp);
        e = errno;
        (void) !write(st[1], "x", 1);
        (void) !write(st[1], &e, sizeof e);
        _exit(127);
    }
    close(st[1]);
    if (flags & F_PTY) close(slave); else { close(in[0]); close(out[1]); close(err[1]); }
    if (pid < 0) {
        cg_release(cg);
        send_error(id, "fork", errno);
        close(st[0]);
        if (flags & F_PTY) close(master); else { close(in[1]); close(out[0]); close(err[0]); }
        goto out;
    }
    char kind = 0;
    int e = 0;
    ssize_t r;
    while ((r = read(st[0], &kind, 1)) < 0 && errno == EINTR) {}
    if (r == 1) while (read(st[0], &e, sizeof e) < 0 && errno == EINTR) {}
    close(st[0]);
    if (r == 1) {
        /* exec failed: the child already exited with 127; report why and reap it. */
        waitpid(pid, NULL, 0);
        cg_release(cg);
        send_error(id, kind == 'c' ? "cannot enter working directory" : "cannot execute program", e);
        if (flags & F_PTY) close(master); else { close(in[1]); close(out[0]); close(err[0]); }
        goto out;
    }
    memset(p, 0, sizeof *p);
    p->used = 1;
    p->id = id;
    p->pid = pid;
    memcpy(p->cg, cg, sizeof p->cg);
    if (flags & F_PTY) {
        p->in = master; p->out = dup(master); p->err = -1; p->pty = 1;
    } else {
        p->in = in[1]; p->out = out[0]; p->err = err[0];
    }
    set_nonblock(p->in);
    send_u32(T_STARTED, id, (uint32_t) pid);
out:
    free_strv(argv);
    free_strv(envp);
    free(cwd);
}

static void close_fd(int *fd) {
    if (*fd >= 0) { close(*fd); *fd = -1; }
}

static void finish_if_done(struct proc *p) {
    if (!p->used || !p->reaped || p->out >= 0 || p->err >= 0) return;
    int code = WIFEXITED(p->status) ? WEXITSTATUS(p->status)
             : WIFSIGNALED(p->status) ? 128 + WTERMSIG(p->status) : -1;
    close_fd(&p->in);
    free(p->pend);
    cg_release(p->cg);
    p->used = 0;
    send_u32(T_EXIT, p->id, (uint32_t) code);
}

static void flush_stdin(struct proc *p) {
    while (p->in >= 0 && p->poff < p->plen) {
        ssize_t w = write(p->in, p->pend + p->poff, p->plen - p->poff);
        if (w < 0) {
            if (errno == EINTR) continue;
            if (errno == EAGAIN) return;
            p->poff = p->plen;   /* reader went away: drop the rest, like a closed pipe */
            close_fd(&p->in);
            break;
        }
        p->poff += (size_t) w;
    }
    if (p->poff == p->plen) {
        free(p->pend); p->pend = NULL; p->plen = p->poff = 0;
        if (p->close_in && !p->pty) {
            /* for a PTY, EOF is ^D; for a pipe, closing it */
            close_fd(&p->in);
        } else if (p->close_in && p->in >= 0) {
            (void) !write(p->in, "\004", 1);
            p->close_in = 0;
        }
    }
}

static void do_stdin(uint32_t id, const unsigned char *data, size_t n) {
    struct proc *p = find_proc(id);
    if (!p || p->in < 0) return;
    if (n == 0) {
        p->close_in = 1;
    } else {
        char *np = realloc(p->pend, p->plen + n);
        if (!np) die("realloc");
        memcpy(np + p->plen, data, n);
        p->pend = np;
        p->plen += n;
    }
    flush_stdin(p);
}

static int mkdirs(const char *path) {
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

static void do_read(uint32_t id, struct cur *c) {
    char *path = cstr(c);
    if (c->bad) { send_frame(T_ERROR, id, "malformed read request", 22); free(path); return; }
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) { send_error(id, path, errno); free(path); return; }
    size_t cap = 65536, n = 0;
    char *buf = malloc(cap);
    for (;;) {
        if (n == cap) {
            if (cap >= MAX_FRAME - 16) { close(fd); free(buf); errno = EFBIG; send_error(id, path, errno); free(path); return; }
            cap *= 2;
            buf = realloc(buf, cap);
            if (!buf) die("realloc");
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

static void do_write(uint32_t id, struct cur *c) {
    uint32_t mode = c32(c);
    char *path = cstr(c);
    if (c->bad) { send_frame(T_ERROR, id, "malformed write request", 23); free(path); return; }
    char *slash = strrchr(path, '/');
    if (slash && slash != path) { *slash = 0; mkdirs(path); *slash = '/'; }
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode & 07777);
    if (fd < 0) { send_error(id, path, errno); free(path); return; }
    const unsigned char *p = c->p;
    size_t n = c->n;
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
static void do_list(uint32_t id, struct cur *c) {
    char *path = cstr(c);
    if (c->bad) { send_frame(T_ERROR, id, "malformed list request", 22); free(path); return; }
    DIR *d = opendir(path);
    if (!d) { send_error(id, path, errno); free(path); return; }
    size_t cap = 4096, n = 0;
    unsigned char *buf = malloc(cap);
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
        struct stat st;
        if (fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0) continue;
        size_t nl = strlen(e->d_name);
        if (n + 17 + nl > cap) {
            while (n + 17 + nl > cap) cap *= 2;
            buf = realloc(buf, cap);
            if (!buf) die("realloc");
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

static void do_mount(uint32_t id, struct cur *c) {
    uint32_t ro = c32(c);
    char *tag = cstr(c), *path = cstr(c);
    if (c->bad) { send_frame(T_ERROR, id, "malformed mount request", 23); goto out; }
    if (mkdirs(path) < 0) { send_error(id, path, errno); goto out; }
    if (mount(tag, path, "9p", (ro ? MS_RDONLY : 0) | MS_NODEV,
              "trans=virtio,version=9p2000.L,msize=512000,cache=none") < 0) {
        send_error(id, path, errno);
        goto out;
    }
    send_frame(T_OK, id, NULL, 0);
out:
    free(tag);
    free(path);
}

/*
 * The VM was restored from a snapshot that other sandboxes share: take the host's wall clock (the guest's
 * is the snapshot's) and fresh entropy, then force the kernel's CRNG to reseed so no two restored guests
 * produce the same random numbers. Payload: u32 seconds high, u32 seconds low, u32 nanoseconds, entropy.
 */
static void do_resumed(uint32_t id, struct cur *c) {
    uint64_t hi = c32(c), lo = c32(c);
    uint32_t ns = c32(c);
    if (c->bad || ns >= 1000000000u || c->n < 32) { send_frame(T_ERROR, id, "malformed resume request", 24); return; }
    struct timespec ts = {(time_t) ((hi << 32) | lo), (long) ns};
    if (clock_settime(CLOCK_REALTIME, &ts) < 0) { send_error(id, "clock_settime", errno); return; }
    int fd = open("/dev/urandom", O_WRONLY | O_CLOEXEC);
    if (fd < 0) { send_error(id, "/dev/urandom", errno); return; }
    struct { struct rand_pool_info info; unsigned char buf[256]; } e;
    size_t n = c->n > sizeof e.buf ? sizeof e.buf : c->n;
    e.info.entropy_count = (int) (n * 8);
    e.info.buf_size = (int) n;
    memcpy(e.buf, c->p, n);
    if (ioctl(fd, RNDADDENTROPY, &e) < 0 || ioctl(fd, RNDRESEEDCRNG) < 0) {
        int err = errno; close(fd); send_error(id, "reseed", err); return;
    }
    close(fd);
    send_frame(T_OK, id, NULL, 0);
}

/*
 * Switches the agent (and so every later command and file operation) into a root file system shared
 * read-only over 9p under a tmpfs overlay: the sandbox may change anything, the shared tree never changes,
 * and each sandbox starts clean. Payload: string 9p tag.
 */
static void do_root(uint32_t id, struct cur *c) {
    char *tag = cstr(c);
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
    if (mount("rootrw", "/overlay/rw", "tmpfs", 0, "mode=0755") < 0) goto fail_errno;
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
                  i == 3 ? "mode=1777" : NULL) < 0)
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

static void do_shutdown(uint32_t id) {
    for (int i = 0; i < MAX_PROCS; i++) if (procs[i].used) kill(-procs[i].pid, SIGKILL);
    sync();
    send_frame(T_OK, id, NULL, 0);
    reboot(RB_POWER_OFF);
    _exit(0);
}

static void lo_up(void) {
    int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (s < 0) return;
    struct ifreq ifr;
    memset(&ifr, 0, sizeof ifr);
    strcpy(ifr.ifr_name, "lo");
    if (ioctl(s, SIOCGIFFLAGS, &ifr) == 0) {
        ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
        ioctl(s, SIOCSIFFLAGS, &ifr);
    }
    close(s);
}

static void do_net_listen(uint32_t id, struct cur *c) {
    uint32_t port = c32(c);
    if (c->bad || port == 0 || port > 65535) { send_frame(T_ERROR, id, "malformed listen request", 24); return; }
    lo_up();
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_port = htons((uint16_t) port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd < 0 || bind(fd, (struct sockaddr *) &a, sizeof a) < 0 || listen(fd, 64) < 0) {
        send_error(id, "listen", errno);
        if (fd >= 0) close(fd);
        return;
    }
    listen_fd = fd;
    send_frame(T_OK, id, NULL, 0);
}

static struct conn *find_conn(uint32_t id) {
    for (int i = 0; i < MAX_CONNS; i++) if (conns[i].used && conns[i].id == id) return &conns[i];
    return NULL;
}

static void conn_maybe_free(struct conn *k) {
    if (k->used && k->rd_eof && k->host_eof) { close(k->fd); k->used = 0; }
}

static void accept_conn(void) {
    int fd = accept4(listen_fd, NULL, NULL, SOCK_CLOEXEC);
    if (fd < 0) return;
    struct conn *k = NULL;
    for (int i = 0; i < MAX_CONNS; i++) if (!conns[i].used) { k = &conns[i]; break; }
    if (!k) { close(fd); return; }
    memset(k, 0, sizeof *k);
    k->used = 1;
    k->fd = fd;
    k->id = 0x80000000u | next_conn++;
    send_frame(T_CONN_OPEN, k->id, NULL, 0);
}

static void handle(int type, uint32_t id, const unsigned char *payload, size_t n) {
    struct cur c = {payload, n, 0};
    struct proc *p;
    switch (type) {
    case T_EXEC: do_exec(id, &c); break;
    case T_STDIN: do_stdin(id, payload, n); break;
    case T_SIGNAL:
        p = find_proc(id);
        if (p) {
            int sig = (int) c32(&c);
            if (sig == SIGKILL && p->cg[0]) {
                char kill_path[96];
                snprintf(kill_path, sizeof kill_path, "%s/cgroup.kill", p->cg);
                write_str(kill_path, "1");
            }
            kill(-p->pid, sig);
        }
        break;
    case T_RESIZE:
        p = find_proc(id);
        if (p && p->out >= 0) {
            struct winsize ws = {0};
            ws.ws_row = (unsigned short) c32(&c);
            ws.ws_col = (unsigned short) c32(&c);
            ioctl(p->out, TIOCSWINSZ, &ws);
        }
        break;
    case T_READ: do_read(id, &c); break;
    case T_WRITE: do_write(id, &c); break;
    case T_LIST: do_list(id, &c); break;
    case T_MOUNT: do_mount(id, &c); break;
    case T_PING: send_frame(T_OK, id, payload, n); break;
    case T_NET_LISTEN: do_net_listen(id, &c); break;
    case T_RESUMED: do_resumed(id, &c); break;
    case T_ROOT: do_root(id, &c); break;
    case T_CONN_DATA: {
        struct conn *k = find_conn(id);
        if (k && !k->host_eof) {
            const unsigned char *q = payload;
            size_t left = n;
            while (left > 0) {
                ssize_t w = write(k->fd, q, left);
                if (w < 0 && errno == EINTR) continue;
                if (w <= 0) break;   /* the guest client went away; its EOF/close follows */
                q += w; left -= (size_t) w;
            }
        }
        break;
    }
    case T_CONN_CLOSE: {
        struct conn *k = find_conn(id);
        if (k) {
            k->host_eof = 1;
            shutdown(k->fd, SHUT_WR);
            conn_maybe_free(k);
        }
        break;
    }
    case T_SHUTDOWN: do_shutdown(id); break;
    default: send_frame(T_ERROR, id, "unknown request type", 20); break;
    }
}

static int open_port(void) {
    /* devtmpfs names ports vportNpM; the host names ours "keel.agent" */
    for (int tries = 0; tries < 500; tries++) {
        DIR *d = opendir("/sys/class/virtio-ports");
        struct dirent *e;
        while (d && (e = readdir(d)) != NULL) {
            if (e->d_name[0] == '.') continue;
            char path[512], name[64] = {0};
            snprintf(path, sizeof path, "/sys/class/virtio-ports/%s/name", e->d_name);
            int fd = open(path, O_RDONLY);
            if (fd < 0) continue;
            ssize_t r = read(fd, name, sizeof name - 1);
            close(fd);
            if (r > 0 && strncmp(name, "keel.agent", 10) == 0) {
                snprintf(path, sizeof path, "/dev/%s", e->d_name);
                int pfd = open(path, O_RDWR | O_CLOEXEC);
                if (pfd >= 0) { closedir(d); return pfd; }
            }
        }
        if (d) closedir(d);
        usleep(10000);
    }
    errno = ENODEV;
    return -1;
}

int main(void) {
    sigset_t mask;
    sigemptyset(&mask);
    sigaddset(&mask, SIGCHLD);
    sigaddset(&mask, SIGPIPE);
    sigprocmask(SIG_BLOCK, &mask, NULL);
    sigset_t chld;
    sigemptyset(&chld);
    sigaddset(&chld, SIGCHLD);
    int sfd = signalfd(-1, &chld, SFD_NONBLOCK | SFD_CLOEXEC);
    if (sfd < 0) die("signalfd");
    port = open_port();
    if (port < 0) die("virtio port keel.agent");
    cg_setup();
    send_frame(T_READY, 0, "keel-agent 1", 12);

    size_t cap = 1 << 16, have = 0;
    unsigned char *in = malloc(cap);
    static char obuf[65536];
    struct pollfd pfds[3 + 3 * MAX_PROCS + MAX_CONNS];
    int owner[3 + 3 * MAX_PROCS + MAX_CONNS], which[3 + 3 * MAX_PROCS + MAX_CONNS];
    for (;;) {
        int n = 0;
        pfds[n].fd = port; pfds[n].events = POLLIN; owner[n] = -1; n++;
        pfds[n].fd = sfd; pfds[n].events = POLLIN; owner[n] = -2; n++;
        for (int i = 0; i < MAX_PROCS; i++) {
            struct proc *p = &procs[i];
            if (!p->used) continue;
            if (p->out >= 0) { pfds[n].fd = p->out; pfds[n].events = POLLIN; owner[n] = i; which[n] = 1; n++; }
            if (p->err >= 0) { pfds[n].fd = p->err; pfds[n].events = POLLIN; owner[n] = i; which[n] = 2; n++; }
            if (p->in >= 0 && p->poff < p->plen) { pfds[n].fd = p->in; pfds[n].events = POLLOUT; owner[n] = i; which[n] = 0; n++; }
        }
        int net_first = n;
        if (listen_fd >= 0) { pfds[n].fd = listen_fd; pfds[n].events = POLLIN; owner[n] = -3; which[n] = 0; n++; }
        for (int i = 0; i < MAX_CONNS; i++) {
            if (conns[i].used && !conns[i].rd_eof) {
                pfds[n].fd = conns[i].fd; pfds[n].events = POLLIN; owner[n] = -4; which[n] = i; n++;
            }
        }
        if (poll(pfds, (nfds_t) n, -1) < 0) {
            if (errno == EINTR) continue;
            die("poll");
        }
        for (int k = net_first; k < n; k++) {
            if (!pfds[k].revents) continue;
            if (owner[k] == -3) { accept_conn(); continue; }
            struct conn *c = &conns[which[k]];
            if (!c->used || c->fd != pfds[k].fd) continue;
            ssize_t r = read(c->fd, obuf, sizeof obuf);
            if (r > 0) {
                send_frame(T_CONN_DATA, c->id, obuf, (size_t) r);
            } else if (r == 0 || (errno != EINTR && errno != EAGAIN)) {
                c->rd_eof = 1;
                send_frame(T_CONN_CLOSE, c->id, NULL, 0);
                conn_maybe_free(c);
            }
        }
        for (int k = 2; k < net_first; k++) {
            if (!pfds[k].revents) continue;
            struct proc *p = &procs[owner[k]];
            if (!p->used) continue;
            if (which[k] == 0) { flush_stdin(p); continue; }
            int *fd = which[k] == 1 ? &p->out : &p->err;
            if (*fd != pfds[k].fd) continue;
            ssize_t r = read(*fd, obuf, sizeof obuf);
            if (r > 0) {
                send_frame(which[k] == 1 ? T_STDOUT : T_STDERR, p->id, obuf, (size_t) r);
            } else if (r == 0 || (errno != EINTR && errno != EAGAIN)) {
                /* EOF, or EIO from a PTY whose last holder closed it */
                close_fd(fd);
            }
        }
        if (pfds[1].revents) {
            struct signalfd_siginfo si;
            while (read(sfd, &si, sizeof si) > 0) {}
            int status;
            pid_t pid;
            while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
                for (int i = 0; i < MAX_PROCS; i++) {
                    if (procs[i].used && procs[i].pid == pid) { procs[i].reaped = 1; procs[i].status = status; }
                }
            }
        }
        for (int i = 0; i < MAX_PROCS; i++) finish_if_done(&procs[i]);
        if (pfds[0].revents & POLLIN) {
            if (have == cap) {
                cap *= 2;
                in = realloc(in, cap);
                if (!in) die("realloc");
            }
            ssize_t r = read(port, in + have, cap - have);
            if (r < 0 && errno != EINTR && errno != EAGAIN) die("read from host");
            if (r > 0) have += (size_t) r;
            size_t off = 0;
            while (have - off >= 9) {
                uint32_t len = get32(in + off);
                if (len < 5 || len > MAX_FRAME) { fprintf(stderr, "keel-agent: bad frame\n"); have = off = 0; break; }
                if (have - off < 4 + (size_t) len) {
                    if (4 + (size_t) len > cap) { while (4 + (size_t) len > cap) cap *= 2; in = realloc(in, cap); if (!in) die("realloc"); }
                    break;
                }
                handle(in[off + 4], get32(in + off + 5), in + off + 9, len - 5);
                off += 4 + (size_t) len;
            }
            memmove(in, in + off, have - off);
            have -= off;
        } else if (pfds[0].revents & (POLLHUP | POLLERR)) {
            usleep(10000);  /* host not connected yet / reconnecting */
        }
    }
}
