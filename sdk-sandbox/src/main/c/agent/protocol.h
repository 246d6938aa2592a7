/*
 * The Keel guest agent protocol: the one definition of its frame types and limits. The host side
 * (dev.keel.sandbox.internal.AgentProtocol) mirrors these constants; AgentProtocolDefinitionTest reads this
 * file and fails when the two disagree.
 *
 * Every frame is: u32 length (big endian, counts the bytes after itself), u8 type, u32 request id, payload.
 * Strings inside payloads are u32 length + bytes (no terminator, may hold any byte).
 */
#ifndef KEEL_PROTOCOL_H
#define KEEL_PROTOCOL_H

#include <stddef.h>
#include <stdint.h>

enum frame_type {
    /* host -> guest requests */
    T_EXEC = 1, T_STDIN = 2, T_SIGNAL = 3, T_READ = 4, T_WRITE = 5, T_LIST = 6, T_SHUTDOWN = 7,
    T_PING = 8, T_MOUNT = 9, T_RESIZE = 10, T_NET_LISTEN = 11, T_RESUMED = 12, T_ROOT = 13, T_QUIESCE = 14,
    /* guest -> host replies and events */
    T_STARTED = 20, T_STDOUT = 21, T_STDERR = 22, T_EXIT = 23, T_ERROR = 24, T_OK = 25, T_READY = 26,
    /* both directions: a TCP connection to the guest's proxy port, carried over the agent port */
    T_CONN_OPEN = 27, T_CONN_DATA = 28, T_CONN_CLOSE = 29
};

/* Frame header: u32 length + u8 type + u32 id. */
#define FRAME_HEADER 9
/* Largest frame length (the u32 length field); larger ones are a protocol error. */
#define MAX_FRAME (64u << 20)
/* Most strings one string list (argv, env) may hold. */
#define MAX_STRINGS 65536u
/* EXEC flags: run on a pseudo-terminal; no input will come (stdin is at end of file from the start); the host
 * does not need the pid (no STARTED frame: EXIT or ERROR is the only answer) */
#define F_PTY 1u
#define F_NO_STDIN 2u
#define F_NO_STARTED 4u
/* Request ids with this bit set are guest-initiated network connections. */
#define CONN_ID_BIT 0x80000000u

static inline void put32(unsigned char *p, uint32_t v) {
    p[0] = (unsigned char) (v >> 24); p[1] = (unsigned char) (v >> 16);
    p[2] = (unsigned char) (v >> 8); p[3] = (unsigned char) v;
}

static inline uint32_t get32(const unsigned char *p) {
    return ((uint32_t) p[0] << 24) | ((uint32_t) p[1] << 16) | ((uint32_t) p[2] << 8) | p[3];
}

/* One frame found at the start of a buffer; payload points into that buffer. */
struct frame {
    int type;
    uint32_t id;
    const unsigned char *payload;
    size_t len;      /* payload bytes */
    size_t size;     /* bytes the whole frame takes in the buffer */
};

enum frame_status { FRAME_OK, FRAME_INCOMPLETE, FRAME_BAD };

/*
 * Looks at the first n bytes of buf. FRAME_OK: a whole frame is there (out is filled). FRAME_INCOMPLETE: more
 * bytes are needed; *need (if not NULL) says how many the whole frame takes, or FRAME_HEADER when the header
 * itself is incomplete. FRAME_BAD: the length field is out of range; the stream cannot be trusted any more.
 */
enum frame_status frame_parse(const unsigned char *buf, size_t n, struct frame *out, size_t *need);

/* A cursor over a request payload; any overrun marks it bad instead of reading out of bounds. */
struct cur { const unsigned char *p; size_t n; int bad; };

uint32_t cur_u32(struct cur *c);
/* A malloc'ed, NUL-terminated copy of a string (NULL when the cursor is or becomes bad, which a string with an
 * embedded NUL makes it). */
char *cur_str(struct cur *c);
/* A malloc'ed, NULL-terminated list of strings (NULL when the cursor is or becomes bad). */
char **cur_strv(struct cur *c);
void free_strv(char **v);

/* Decoded requests. Every decoder leaves c->bad set (and frees what it allocated) on a malformed payload. */
struct exec_req { uint32_t flags; char **argv; char **envp; char *cwd; };
int decode_exec(struct cur *c, struct exec_req *r);
void free_exec(struct exec_req *r);

struct write_req { uint32_t mode; char *path; const unsigned char *data; size_t len; };
int decode_write(struct cur *c, struct write_req *r);

/* alias: the workspace path as the host gave it, to be made a symlink to path ("" for none; optional field) */
struct mount_req { uint32_t ro; char *tag; char *path; char *alias; };
int decode_mount(struct cur *c, struct mount_req *r);
void free_mount(struct mount_req *r);

#endif
