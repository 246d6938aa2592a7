/* What the parts of the guest agent share: the host port, replies, and each part's entry points. */
#ifndef KEEL_AGENT_H
#define KEEL_AGENT_H

#define _GNU_SOURCE
#include <poll.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "protocol.h"

/* main.c: the virtio-serial port to the host, replies, fatal errors */
extern int port;
void die(const char *what);
void write_all(int fd, const void *buf, size_t n);
void send_frame2(int type, uint32_t id, const void *a, size_t an, const void *b, size_t bn);
void send_frame(int type, uint32_t id, const void *a, size_t an);
void send_u32(int type, uint32_t id, uint32_t v);
void send_error(uint32_t id, const char *what, int err);
void send_text(int type, uint32_t id, const char *text);
int write_str(const char *path, const char *s);

/* exec.c: commands, their pipes and cgroups */
#define MAX_PROCS 256
#define CG_ROOT "/sys/fs/cgroup"
void cg_setup(void);
void cg_mount(const char *at);
void do_exec(uint32_t id, struct cur *c);
void do_stdin(uint32_t id, const unsigned char *data, size_t n);
void do_signal(uint32_t id, struct cur *c);
void do_resize(uint32_t id, struct cur *c);
void kill_all_commands(void);
/* adds the commands' descriptors to the poll set (owner/which tell exec_ready what they are) */
int exec_poll_fds(struct pollfd *pfds, int *owner, int *which, int n);
void exec_ready(struct pollfd *pfd, int owner, int which);
void exec_reap(int signal_fd);
/* reports EXIT for commands that were reaped and whose output is drained */
void exec_finish_done(void);

/* files.c: file operations, mounts, the Debian root */
int mkdirs(const char *path);
/* an open O_PATH descriptor of the workspace mounted at path, or -1 */
int mounted_dir(const char *path);
void do_read(uint32_t id, struct cur *c);
void do_write(uint32_t id, struct cur *c);
void do_list(uint32_t id, struct cur *c);
void do_mount(uint32_t id, struct cur *c);
void do_root(uint32_t id, struct cur *c);

/* net.c: the guest's loopback proxy port, relayed over the agent port */
#define MAX_CONNS 64
void do_net_listen(uint32_t id, struct cur *c);
void net_data(uint32_t id, const unsigned char *payload, size_t n);
void net_close(uint32_t id);
int net_poll_fds(struct pollfd *pfds, int *owner, int *which, int n);
void net_ready(struct pollfd *pfd, int owner, int which);

#endif
