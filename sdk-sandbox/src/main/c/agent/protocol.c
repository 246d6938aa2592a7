/* Frame parsing and request decoding: pure functions over byte buffers (unit-tested under ASan/UBSan). */
#include "protocol.h"

#include <stdlib.h>
#include <string.h>

enum frame_status frame_parse(const unsigned char *buf, size_t n, struct frame *out, size_t *need) {
    if (n < FRAME_HEADER) {
        if (need) *need = FRAME_HEADER;
        return FRAME_INCOMPLETE;
    }
    uint32_t len = get32(buf);
    if (len < FRAME_HEADER - 4 || len > MAX_FRAME) return FRAME_BAD;
    size_t size = 4 + (size_t) len;
    if (n < size) {
        if (need) *need = size;
        return FRAME_INCOMPLETE;
    }
    out->type = buf[4];
    out->id = get32(buf + 5);
    out->payload = buf + FRAME_HEADER;
    out->len = size - FRAME_HEADER;
    out->size = size;
    return FRAME_OK;
}

uint32_t cur_u32(struct cur *c) {
    if (c->bad || c->n < 4) { c->bad = 1; return 0; }
    uint32_t v = get32(c->p);
    c->p += 4; c->n -= 4;
    return v;
}

char *cur_str(struct cur *c) {
    uint32_t len = cur_u32(c);
    /* every string the agent reads becomes a C string: an embedded NUL would silently cut it short */
    if (c->bad || len > c->n || memchr(c->p, 0, len)) { c->bad = 1; return NULL; }
    char *s = malloc((size_t) len + 1);
    if (!s) { c->bad = 1; return NULL; }
    memcpy(s, c->p, len);
    s[len] = 0;
    c->p += len; c->n -= len;
    return s;
}

void free_strv(char **v) {
    if (!v) return;
    for (char **p = v; *p; p++) free(*p);
    free(v);
}

char **cur_strv(struct cur *c) {
    uint32_t n = cur_u32(c);
    /* every string takes at least its 4-byte length: a count the payload cannot hold is malformed */
    if (c->bad || n > MAX_STRINGS || (size_t) n * 4 > c->n) { c->bad = 1; return NULL; }
    char **v = calloc((size_t) n + 1, sizeof *v);
    if (!v) { c->bad = 1; return NULL; }
    for (uint32_t i = 0; i < n; i++) {
        v[i] = cur_str(c);
        if (c->bad) { free_strv(v); return NULL; }
    }
    return v;
}

int decode_exec(struct cur *c, struct exec_req *r) {
    memset(r, 0, sizeof *r);
    r->flags = cur_u32(c);
    r->argv = cur_strv(c);
    r->envp = cur_strv(c);
    r->cwd = cur_str(c);
    if (c->bad || !r->argv || !r->argv[0]) {
        c->bad = 1;
        free_exec(r);
        return -1;
    }
    return 0;
}

void free_exec(struct exec_req *r) {
    free_strv(r->argv);
    free_strv(r->envp);
    free(r->cwd);
    memset(r, 0, sizeof *r);
}

int decode_write(struct cur *c, struct write_req *r) {
    memset(r, 0, sizeof *r);
    r->mode = cur_u32(c);
    r->path = cur_str(c);
    if (c->bad) {
        free(r->path);
        r->path = NULL;
        return -1;
    }
    r->data = c->p;
    r->len = c->n;
    return 0;
}

int decode_mount(struct cur *c, struct mount_req *r) {
    memset(r, 0, sizeof *r);
    r->ro = cur_u32(c);
    r->tag = cur_str(c);
    r->path = cur_str(c);
    if (!c->bad && c->n > 0) r->alias = cur_str(c);
    if (c->bad) {
        free_mount(r);
        return -1;
    }
    return 0;
}

void free_mount(struct mount_req *r) {
    free(r->tag);
    free(r->path);
    free(r->alias);
    memset(r, 0, sizeof *r);
}
