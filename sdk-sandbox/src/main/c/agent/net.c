/*
 * Network: the guest has no NIC. When the host enables egress, the agent listens on 127.0.0.1:<port>
 * and relays every accepted connection over the agent port to the host's egress proxy.
 */
#include "agent.h"

#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

struct conn { int used; uint32_t id; int fd; int rd_eof; int host_eof; };
static struct conn conns[MAX_CONNS];
static int listen_fd = -1;
static uint32_t next_conn = 1;

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

void do_net_listen(uint32_t id, struct cur *c) {
    uint32_t listen_port = cur_u32(c);
    if (c->bad || listen_port == 0 || listen_port > 65535) { send_text(T_ERROR, id, "malformed listen request"); return; }
    lo_up();
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int one = 1;
    if (fd >= 0) setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_port = htons((uint16_t) listen_port);
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
    k->id = CONN_ID_BIT | next_conn++;
    send_frame(T_CONN_OPEN, k->id, NULL, 0);
}

void net_data(uint32_t id, const unsigned char *payload, size_t n) {
    struct conn *k = find_conn(id);
    if (!k || k->host_eof) return;
    const unsigned char *q = payload;
    size_t left = n;
    while (left > 0) {
        ssize_t w = write(k->fd, q, left);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) break;   /* the guest client went away; its EOF/close follows */
        q += w; left -= (size_t) w;
    }
}

void net_close(uint32_t id) {
    struct conn *k = find_conn(id);
    if (k) {
        k->host_eof = 1;
        shutdown(k->fd, SHUT_WR);
        conn_maybe_free(k);
    }
}

int net_poll_fds(struct pollfd *pfds, int *owner, int *which, int n) {
    if (listen_fd >= 0) { pfds[n].fd = listen_fd; pfds[n].events = POLLIN; owner[n] = -3; which[n] = 0; n++; }
    for (int i = 0; i < MAX_CONNS; i++) {
        if (conns[i].used && !conns[i].rd_eof) {
            pfds[n].fd = conns[i].fd; pfds[n].events = POLLIN; owner[n] = -4; which[n] = i; n++;
        }
    }
    return n;
}

void net_ready(struct pollfd *pfd, int owner, int which) {
    static char obuf[65536];
    if (owner == -3) { accept_conn(); return; }
    struct conn *c = &conns[which];
    if (!c->used || c->fd != pfd->fd) return;
    ssize_t r = read(c->fd, obuf, sizeof obuf);
    if (r > 0) {
        send_frame(T_CONN_DATA, c->id, obuf, (size_t) r);
    } else if (r == 0 || (errno != EINTR && errno != EAGAIN)) {
        c->rd_eof = 1;
        send_frame(T_CONN_CLOSE, c->id, NULL, 0);
        conn_maybe_free(c);
    }
}
