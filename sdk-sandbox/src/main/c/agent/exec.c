/*
 * Commands: each runs in its own session (process group) and its own cgroup (v2) with a pids limit of half
 * the guest's task limit, so a fork bomb stops at the limit instead of starving the agent, and cgroup.kill
 * ends the whole tree at once, with no race against processes forked while the kill is delivered.
 *
 * A command cannot leave its cgroup on its own: it runs in a cgroup namespace rooted at its cgroup, and the
 * hierarchy is mounted with nsdelegate, so moving a process anywhere outside that root (or raising the command's
 * own pids.max) is refused even for guest root. Root can still step out through another process's cgroup
 * namespace (setns); whatever ends up in a cgroup the agent did not make (the root cgroup included) is killed
 * with the next command that is killed or times out.
 */
#include "agent.h"

#include <errno.h>
#include <fcntl.h>
#include <pty.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <dirent.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

/* A cgroup made for commands: its path, its directory (to start a process inside it), its cgroup.events file. */
struct cgroup { char path[64]; int fd; int events; };

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
    struct cgroup cg;      /* the command's cgroup (path "" when cgroups are unavailable) */
};

static struct proc procs[MAX_PROCS];

static int cg_ok;
static unsigned cg_seq;
static long cg_pids_max = 512;

/* Empty cgroups of finished commands, reused: creating and removing one costs more than the exec itself. */
#define CG_FREE_MAX 16
static struct cgroup cg_free[CG_FREE_MAX];
static int cg_nfree;

/* A cgroup for a new command in out (path "" and fd -1 when none can be had). */
static void cg_take(struct cgroup *out) {
    out->path[0] = 0;
    out->fd = -1;
    out->events = -1;
    if (!cg_ok) return;
    if (cg_nfree > 0) { *out = cg_free[--cg_nfree]; return; }
    char path[64], max_path[96], limit[32];
    snprintf(limit, sizeof limit, "%ld", cg_pids_max);
    for (int tries = 0; tries < 64; tries++) {
        /* a name someone else made is skipped: the agent's cgroups are the ones it created */
        snprintf(path, sizeof path, CG_ROOT "/keel-%u", ++cg_seq);
        if (mkdir(path, 0755) < 0) {
            if (errno == EEXIST) continue;
            return;
        }
        snprintf(max_path, sizeof max_path, "%s/pids.max", path);
        int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        int events = fd >= 0 ? openat(fd, "cgroup.events", O_RDONLY | O_CLOEXEC) : -1;
        if (fd >= 0 && events >= 0 && write_str(max_path, limit) == 0) {
            snprintf(out->path, sizeof out->path, "%s", path);
            out->fd = fd;
            out->events = events;
        } else {
            if (events >= 0) close(events);
            if (fd >= 0) close(fd);
            rmdir(path);
        }
        return;
    }
}

/* Back to the free list once nothing runs in it any more; a cgroup something still runs in stays as it is. */
static void cg_release(struct cgroup *cg) {
    if (!cg->path[0]) return;
    char b[256] = {0};
    ssize_t r = pread(cg->events, b, sizeof b - 1, 0);
    if (r <= 0 || !strstr(b, "populated 0")) {
        /* something still runs in it: it stays with those processes, and its descriptors are not needed */
        close(cg->fd);
        close(cg->events);
    } else if (cg_nfree < CG_FREE_MAX) {
        cg_free[cg_nfree++] = *cg;
    } else {
        close(cg->fd);
        close(cg->events);
        rmdir(cg->path);
    }
    cg->path[0] = 0;
    cg->fd = -1;
    cg->events = -1;
}

/* Whether a cgroup path (as /proc/PID/cgroup shows it) lies in one the agent made for a command. */
static int agent_cgroup(const char *path) {
    if (strncmp(path, "/keel-", 6) != 0) return 0;
    char *end;
    unsigned long seq = strtoul(path + 6, &end, 10);
    return end != path + 6 && (*end == 0 || *end == '/' || *end == '\n') && seq >= 1 && seq <= cg_seq;
}

#define PF_KTHREAD 0x00200000u

/*
 * Kills every process that is not the agent, not a kernel thread and not inside a command's cgroup: processes
 * that left theirs (into the root cgroup or one of their own), e.g. through another cgroup namespace.
 */
static void kill_escapees(void) {
    if (!cg_ok) return;
    DIR *d = opendir("/proc");
    if (!d) return;
    struct dirent *e;
    pid_t self = getpid();
    while ((e = readdir(d)) != NULL) {
        char *end;
        long pid = strtol(e->d_name, &end, 10);
        if (*end || pid <= 1 || pid == self) continue;
        char path[64], buf[512];
        snprintf(path, sizeof path, "/proc/%ld/stat", pid);
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0) continue;
        ssize_t r = read(fd, buf, sizeof buf - 1);
        close(fd);
        if (r <= 0) continue;
        buf[r] = 0;
        /* field 9 (flags) comes after the command name in parentheses, which may itself hold spaces */
        char *p = strrchr(buf, ')');
        unsigned long flags = 0;
        for (int field = 2; p && field < 9; field++) p = strchr(p + 1, ' ');
        if (p) flags = strtoul(p + 1, NULL, 10);
        if (flags & PF_KTHREAD) continue;
        snprintf(path, sizeof path, "/proc/%ld/cgroup", pid);
        fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0) continue;
        r = read(fd, buf, sizeof buf - 1);
        close(fd);
        if (r <= 0) continue;
        buf[r] = 0;
        char *cg = strstr(buf, "0::");
        if (!cg) continue;
        if (!agent_cgroup(cg + 3)) kill((pid_t) pid, SIGKILL);
    }
    closedir(d);
}


void cg_mount(const char *at) {
    mkdir(at, 0755);
    /*
     * nsdelegate: a cgroup namespace is a delegation boundary (see the top of this file). favordynmods: moving a
     * task between cgroups (once per command) no longer waits for an RCU grace period — several timer ticks on an
     * idle vCPU, most of an exec's round trip — at a small cost to fork and exit.
     */
    static const char *const options[] = {"nsdelegate,favordynmods", "nsdelegate", NULL};
    for (size_t i = 0; i < sizeof options / sizeof options[0]; i++) {
        if (mount("cgroup2", at, "cgroup2", MS_NOSUID | MS_NODEV | MS_NOEXEC, options[i]) == 0) return;
    }
}

void cg_setup(void) {
    cg_mount(CG_ROOT);
    cg_ok = write_str(CG_ROOT "/cgroup.subtree_control", "+pids") == 0;
    int fd = open("/proc/sys/kernel/threads-max", O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
        char b[32] = {0};
        if (read(fd, b, sizeof b - 1) > 0 && atol(b) / 2 > 64) cg_pids_max = atol(b) / 2;
        close(fd);
    }
}

static struct proc *find_proc(uint32_t id) {
    for (int i = 0; i < MAX_PROCS; i++) if (procs[i].used && procs[i].id == id) return &procs[i];
    return NULL;
}

static void set_nonblock(int fd) { fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK); }

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

static void close_all(const int *fds, int n) {
    for (int i = 0; i < n; i++) if (fds[i] >= 0) close(fds[i]);
}

/* What the child needs to become the command; it writes why it failed back here (the memory is shared). */
struct spawn {
    const char *path;
    char **argv, **envp;
    const char *cwd;
    int cwd_fd;              /* cwd is a mounted workspace: enter it through this descriptor */
    int pty, slave, in, out, err;
    int born_in_cgroup;      /* clone3 put it there already */
    const char *cg_procs;    /* else: join the cgroup by writing here ("" for none) */
    volatile int error;
    volatile char failed;    /* 'c': working directory, 'x': execve */
};

/* The child, between the clone and execve: async-signal-safe calls only, on its own or a borrowed stack. */
static int spawn_child(void *arg) {
    struct spawn *s = arg;
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    setsid();
    if (!s->born_in_cgroup && s->cg_procs[0]) {
        int cfd = open(s->cg_procs, O_WRONLY | O_CLOEXEC);
        if (cfd >= 0) { (void) !write(cfd, "0", 1); close(cfd); }
    }
    if (s->born_in_cgroup || s->cg_procs[0]) {
        unshare(CLONE_NEWCGROUP);  /* the command's cgroup becomes the root of everything it can see */
    }
    if (s->pty) {
        ioctl(s->slave, TIOCSCTTY, 0);
        dup2(s->slave, 0); dup2(s->slave, 1); dup2(s->slave, 2);
    } else {
        dup2(s->in, 0); dup2(s->out, 1); dup2(s->err, 2);
    }
    if (s->cwd[0] && (s->cwd_fd >= 0 ? fchdir(s->cwd_fd) : chdir(s->cwd)) < 0) {
        s->error = errno;
        s->failed = 'c';
        _exit(127);
    }
    execve(s->path, s->argv, s->envp);
    s->error = errno;
    s->failed = 'x';
    _exit(127);
}

#if defined(__x86_64__)
/*
 * clone3 with CLONE_VM | CLONE_VFORK | CLONE_INTO_CGROUP: like vfork (no page tables copied, the agent waits
 * until the child has exec'd) but the child is born in the command's cgroup, so no task has to be moved between
 * cgroups (which costs more than the whole exec). The child runs fn(arg) on the given stack, never returning here.
 */
struct clone3_args {
    uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls, set_tid, set_tid_size, cgroup;
};
#define KEEL_CLONE_INTO_CGROUP 0x200000000ULL
long clone3_call(struct clone3_args *args, size_t size, int (*fn)(void *), void *arg);
__asm__(".text\n"
        ".globl clone3_call\n"
        ".type clone3_call, @function\n"
        "clone3_call:\n"
        "  push %r12\n"
        "  push %r13\n"
        "  mov %rdx, %r12\n"
        "  mov %rcx, %r13\n"
        "  mov $435, %eax\n"          /* SYS_clone3 */
        "  syscall\n"
        "  test %rax, %rax\n"
        "  jnz 1f\n"
        "  xor %ebp, %ebp\n"          /* the child: on its own stack, call fn(arg) and exit with its result */
        "  mov %r13, %rdi\n"
        "  call *%r12\n"
        "  mov %eax, %edi\n"
        "  mov $60, %eax\n"           /* SYS_exit */
        "  syscall\n"
        "  hlt\n"
        "1:\n"
        "  pop %r13\n"
        "  pop %r12\n"
        "  ret\n"
        ".size clone3_call, .-clone3_call\n");
static _Alignas(64) unsigned char child_stack[64 * 1024];
static int clone3_unusable;
#endif

/* Starts the child; returns its pid, or -1 with errno. */
static pid_t spawn(struct spawn *s, int cgroup_fd) {
#if defined(__x86_64__)
    if (cgroup_fd >= 0 && !clone3_unusable) {
        struct clone3_args a;
        memset(&a, 0, sizeof a);
        a.flags = CLONE_VM | CLONE_VFORK | KEEL_CLONE_INTO_CGROUP;
        a.exit_signal = SIGCHLD;
        a.stack = (uint64_t) (uintptr_t) child_stack;
        a.stack_size = sizeof child_stack;
        a.cgroup = (uint64_t) cgroup_fd;
        s->born_in_cgroup = 1;
        long pid = clone3_call(&a, sizeof a, spawn_child, s);
        if (pid > 0) return (pid_t) pid;
        if (pid != -ENOSYS && pid != -EINVAL && pid != -E2BIG && pid != -EOPNOTSUPP) { errno = (int) -pid; return -1; }
        clone3_unusable = 1;  /* an older kernel: join the cgroup from inside the child instead */
        s->born_in_cgroup = 0;
    }
#else
    (void) cgroup_fd;
#endif
    /* vfork: the child only calls async-signal-safe functions before execve or _exit */
    pid_t pid = vfork();
    if (pid == 0) _exit(spawn_child(s));
    return pid;
}

void do_exec(uint32_t id, struct cur *c) {
    struct exec_req req;
    if (decode_exec(c, &req) < 0) { send_text(T_ERROR, id, "malformed exec request"); return; }
    if (find_proc(id)) { send_text(T_ERROR, id, "duplicate request id"); goto out; }
    struct proc *p = NULL;
    for (int i = 0; i < MAX_PROCS; i++) if (!procs[i].used) { p = &procs[i]; break; }
    if (!p) { send_text(T_ERROR, id, "too many concurrent commands"); goto out; }

    int pty = (req.flags & F_PTY) != 0;
    int in[2] = {-1, -1}, outp[2] = {-1, -1}, err[2] = {-1, -1}, master = -1, slave = -1;
    if (pty) {
        if (openpty(&master, &slave, NULL, NULL, NULL) < 0) { send_error(id, "openpty", errno); goto out; }
    } else if (pipe2(in, O_CLOEXEC) < 0 || pipe2(outp, O_CLOEXEC) < 0 || pipe2(err, O_CLOEXEC) < 0) {
        send_error(id, "pipe", errno);
        int fds[] = {in[0], in[1], outp[0], outp[1], err[0], err[1]};
        close_all(fds, 6);
        goto out;
    }
    int ends[] = {master, slave, in[0], in[1], outp[0], outp[1], err[0], err[1]};
    char resolved[4096];
    int rerr = resolve(req.argv[0], req.envp, resolved, sizeof resolved);
    if (rerr) {
        send_error(id, "cannot execute program", rerr);
        close_all(ends, 8);
        goto out;
    }
    struct cgroup cg;
    char cg_procs[96] = "";
    cg_take(&cg);
    if (cg.path[0]) snprintf(cg_procs, sizeof cg_procs, "%s/cgroup.procs", cg.path);
    struct spawn s = {resolved, req.argv, req.envp, req.cwd, mounted_dir(req.cwd), pty, slave, in[0], outp[1], err[1], 0,
                      cg_procs, 0, 0};
    pid_t pid = spawn(&s, cg.fd);
    int spawn_errno = errno;
    if (pty) close(slave); else { close(in[0]); close(outp[1]); close(err[1]); }
    if (pid < 0) {
        cg_release(&cg);
        send_error(id, "fork", spawn_errno);
        if (pty) close(master); else { close(in[1]); close(outp[0]); close(err[0]); }
        goto out;
    }
    if (s.failed) {
        /* exec failed: the child already exited with 127; report why and reap it. */
        waitpid(pid, NULL, 0);
        cg_release(&cg);
        send_error(id, s.failed == 'c' ? "cannot enter working directory" : "cannot execute program", s.error);
        if (pty) close(master); else { close(in[1]); close(outp[0]); close(err[0]); }
        goto out;
    }
    memset(p, 0, sizeof *p);
    p->used = 1;
    p->id = id;
    p->pid = pid;
    p->cg = cg;
    if (pty) {
        p->in = master; p->out = dup(master); p->err = -1; p->pty = 1;
    } else {
        p->in = in[1]; p->out = outp[0]; p->err = err[0];
    }
    if ((req.flags & F_NO_STDIN) && !pty) {
        close(p->in);  /* nothing will be written: the command reads end of file at once */
        p->in = -1;
    } else {
        set_nonblock(p->in);
    }
    if (!(req.flags & F_NO_STARTED)) send_u32(T_STARTED, id, (uint32_t) pid);
out:
    free_exec(&req);
}

static void close_fd(int *fd) {
    if (*fd >= 0) { close(*fd); *fd = -1; }
}

static void finish_if_done(struct proc *p) {
    if (!p->used || !p->reaped || p->out >= 0 || p->err >= 0) return;
    int code = WIFEXITED(p->status) ? WEXITSTATUS(p->status)
             : WIFSIGNALED(p->status) ? 128 + WTERMSIG(p->status) : -1;
    send_u32(T_EXIT, p->id, (uint32_t) code);  /* first: the host need not wait for the bookkeeping */
    close_fd(&p->in);
    free(p->pend);
    cg_release(&p->cg);
    p->used = 0;
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

void do_stdin(uint32_t id, const unsigned char *data, size_t n) {
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

void do_signal(uint32_t id, struct cur *c) {
    struct proc *p = find_proc(id);
    if (!p) return;
    int sig = (int) cur_u32(c);
    if (sig == SIGKILL && p->cg.path[0]) {
        char kill_path[96];
        snprintf(kill_path, sizeof kill_path, "%s/cgroup.kill", p->cg.path);
        write_str(kill_path, "1");
    }
    kill(-p->pid, sig);
    if (sig == SIGKILL) kill_escapees();
}

void do_resize(uint32_t id, struct cur *c) {
    struct proc *p = find_proc(id);
    if (p && p->out >= 0) {
        struct winsize ws = {0};
        ws.ws_row = (unsigned short) cur_u32(c);
        ws.ws_col = (unsigned short) cur_u32(c);
        ioctl(p->out, TIOCSWINSZ, &ws);
    }
}

void kill_all_commands(void) {
    for (int i = 0; i < MAX_PROCS; i++) if (procs[i].used) kill(-procs[i].pid, SIGKILL);
}

int exec_poll_fds(struct pollfd *pfds, int *owner, int *which, int n) {
    for (int i = 0; i < MAX_PROCS; i++) {
        struct proc *p = &procs[i];
        if (!p->used) continue;
        if (p->out >= 0) { pfds[n].fd = p->out; pfds[n].events = POLLIN; owner[n] = i; which[n] = 1; n++; }
        if (p->err >= 0) { pfds[n].fd = p->err; pfds[n].events = POLLIN; owner[n] = i; which[n] = 2; n++; }
        if (p->in >= 0 && p->poff < p->plen) { pfds[n].fd = p->in; pfds[n].events = POLLOUT; owner[n] = i; which[n] = 0; n++; }
    }
    return n;
}

void exec_ready(struct pollfd *pfd, int owner, int which) {
    static char obuf[65536];
    struct proc *p = &procs[owner];
    if (!p->used) return;
    if (which == 0) { flush_stdin(p); return; }
    int *fd = which == 1 ? &p->out : &p->err;
    if (*fd != pfd->fd) return;
    ssize_t r = read(*fd, obuf, sizeof obuf);
    if (r > 0) {
        send_frame(which == 1 ? T_STDOUT : T_STDERR, p->id, obuf, (size_t) r);
    } else if (r == 0 || (errno != EINTR && errno != EAGAIN)) {
        /* EOF, or EIO from a PTY whose last holder closed it */
        close_fd(fd);
    }
}

void exec_reap(int signal_fd) {
    struct signalfd_siginfo si;
    while (read(signal_fd, &si, sizeof si) > 0) {}
    int status;
    pid_t pid;
    while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
        for (int i = 0; i < MAX_PROCS; i++) {
            if (procs[i].used && procs[i].pid == pid) { procs[i].reaped = 1; procs[i].status = status; }
        }
    }
}

void exec_finish_done(void) {
    for (int i = 0; i < MAX_PROCS; i++) finish_if_done(&procs[i]);
}
