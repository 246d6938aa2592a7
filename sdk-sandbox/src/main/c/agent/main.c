/*
 * Keel guest agent: PID 1 of a Keel microVM after /init has loaded modules.
 *
 * Speaks the framed, binary-safe protocol of protocol.h with the host over a virtio-serial port named
 * "keel.agent". One poll() loop multiplexes the port, every running command's stdout/stderr/stdin pipes,
 * the guest's proxy connections and a signalfd for SIGCHLD, so concurrent requests never block each other.
 */
#include "agent.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/random.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/reboot.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

int port = -1;

void die(const char *what) {
    fprintf(stderr, "keel-agent: %s: %s\n", what, strerror(errno));
    sleep(1);
    _exit(1);
}

int write_str(const char *path, const char *s) {
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0) return -1;
    ssize_t n = write(fd, s, strlen(s));
    int e = errno;
    close(fd);
    errno = e;
    return n < 0 ? -1 : 0;
}

void write_all(int fd, const void *buf, size_t n) {
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

void send_frame2(int type, uint32_t id, const void *a, size_t an, const void *b, size_t bn) {
    unsigned char h[FRAME_HEADER];
    put32(h, (uint32_t) (FRAME_HEADER - 4 + an + bn));
    h[4] = (unsigned char) type;
    put32(h + 5, id);
    write_all(port, h, FRAME_HEADER);
    if (an) write_all(port, a, an);
    if (bn) write_all(port, b, bn);
}

void send_frame(int type, uint32_t id, const void *a, size_t an) { send_frame2(type, id, a, an, NULL, 0); }

void send_text(int type, uint32_t id, const char *text) { send_frame(type, id, text, strlen(text)); }

void send_u32(int type, uint32_t id, uint32_t v) {
    unsigned char b[4];
    put32(b, v);
    send_frame(type, id, b, 4);
}

void send_error(uint32_t id, const char *what, int err) {
    char msg[512];
    int n = snprintf(msg, sizeof msg, "%s: %s", what, strerror(err));
    if (n < 0) n = 0;
    if ((size_t) n >= sizeof msg) n = sizeof msg - 1;
    send_frame(T_ERROR, id, msg, (size_t) n);
}

/*
 * The VM was restored from a snapshot that other sandboxes share: take the host's wall clock (the guest's
 * is the snapshot's) and fresh entropy, then force the kernel's CRNG to reseed so no two restored guests
 * produce the same random numbers. Payload: u32 seconds high, u32 seconds low, u32 nanoseconds, entropy.
 */
static void do_resumed(uint32_t id, struct cur *c) {
    uint64_t hi = cur_u32(c), lo = cur_u32(c);
    uint32_t ns = cur_u32(c);
    if (c->bad || ns >= 1000000000u || c->n < 32) { send_text(T_ERROR, id, "malformed resume request"); return; }
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
 * The VM is about to be saved as a snapshot: drop the page cache and hand every free page back zeroed, so that the
 * saved state holds only what is in use (qemu writes a zero page as a flag, and a restore does not touch it).
 */
static void do_quiesce(uint32_t id) {
    sync();
    write_str("/proc/sys/vm/drop_caches", "3");
    long free_kb = 0;
    int fd = open("/proc/meminfo", O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
        char b[2048] = {0};
        if (read(fd, b, sizeof b - 1) > 0) {
            char *m = strstr(b, "MemFree:");
            if (m) free_kb = strtol(m + 8, NULL, 10);
        }
        close(fd);
    }
    /* a margin the kernel keeps for itself: running it dry would call the OOM killer on PID 1 */
    long margin_kb = free_kb / 8 > 16384 ? free_kb / 8 : 16384;
    if (free_kb > margin_kb) {
        size_t bytes = (size_t) (free_kb - margin_kb) * 1024;
        void *m = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
        if (m != MAP_FAILED) munmap(m, bytes);
    }
    send_frame(T_OK, id, NULL, 0);
}

static void do_shutdown(uint32_t id) {
    kill_all_commands();
    sync();
    send_frame(T_OK, id, NULL, 0);
    reboot(RB_POWER_OFF);
    _exit(0);
}

static void handle(const struct frame *f) {
    struct cur c = {f->payload, f->len, 0};
    switch (f->type) {
    case T_EXEC: do_exec(f->id, &c); break;
    case T_STDIN: do_stdin(f->id, f->payload, f->len); break;
    case T_SIGNAL: do_signal(f->id, &c); break;
    case T_RESIZE: do_resize(f->id, &c); break;
    case T_READ: do_read(f->id, &c); break;
    case T_WRITE: do_write(f->id, &c); break;
    case T_LIST: do_list(f->id, &c); break;
    case T_MOUNT: do_mount(f->id, &c); break;
    case T_PING: send_frame(T_OK, f->id, f->payload, f->len); break;
    case T_NET_LISTEN: do_net_listen(f->id, &c); break;
    case T_RESUMED: do_resumed(f->id, &c); break;
    case T_ROOT: do_root(f->id, &c); break;
    case T_QUIESCE: do_quiesce(f->id); break;
    case T_CONN_DATA: net_data(f->id, f->payload, f->len); break;
    case T_CONN_CLOSE: net_close(f->id); break;
    case T_SHUTDOWN: do_shutdown(f->id); break;
    default: send_text(T_ERROR, f->id, "unknown request type"); break;
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

#define MAX_POLL (3 + 3 * MAX_PROCS + MAX_CONNS)

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
    send_text(T_READY, 0, "keel-agent 1");

    size_t cap = 1 << 16, have = 0;
    unsigned char *in = malloc(cap);
    if (!in) die("malloc");
    static struct pollfd pfds[MAX_POLL];
    static int owner[MAX_POLL], which[MAX_POLL];
    for (;;) {
        int n = 0;
        pfds[n].fd = port; pfds[n].events = POLLIN; owner[n] = -1; n++;
        pfds[n].fd = sfd; pfds[n].events = POLLIN; owner[n] = -2; n++;
        n = exec_poll_fds(pfds, owner, which, n);
        int net_first = n;
        n = net_poll_fds(pfds, owner, which, n);
        if (poll(pfds, (nfds_t) n, -1) < 0) {
            if (errno == EINTR) continue;
            die("poll");
        }
        for (int k = net_first; k < n; k++) if (pfds[k].revents) net_ready(&pfds[k], owner[k], which[k]);
        for (int k = 2; k < net_first; k++) if (pfds[k].revents) exec_ready(&pfds[k], owner[k], which[k]);
        if (pfds[1].revents) exec_reap(sfd);
        exec_finish_done();
        if (pfds[0].revents & POLLIN) {
            ssize_t r = read(port, in + have, cap - have);
            if (r < 0 && errno != EINTR && errno != EAGAIN) die("read from host");
            if (r > 0) have += (size_t) r;
            size_t off = 0;
            for (;;) {
                struct frame f;
                size_t need = 0;
                enum frame_status st = frame_parse(in + off, have - off, &f, &need);
                if (st == FRAME_BAD) { fprintf(stderr, "keel-agent: bad frame\n"); have = off = 0; break; }
                if (st == FRAME_INCOMPLETE) {
                    if (need > cap) {
                        while (need > cap) cap *= 2;
                        unsigned char *grown = realloc(in, cap);
                        if (!grown) die("realloc");
                        in = grown;
                    }
                    break;
                }
                handle(&f);
                off += f.size;
            }
            memmove(in, in + off, have - off);
            have -= off;
        } else if (pfds[0].revents & (POLLHUP | POLLERR)) {
            usleep(10000);  /* host not connected yet / reconnecting */
        }
    }
}
