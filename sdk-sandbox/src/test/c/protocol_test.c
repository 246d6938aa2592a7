/*
 * Unit tests of the guest agent's frame parser and request decoders (src/main/c/agent/protocol.c), built and
 * run under AddressSanitizer and UndefinedBehaviorSanitizer by AgentProtocolSanitizerTest. Every input lives
 * in a heap block of exactly its own size, so reading one byte too far is an ASan error, not luck.
 * Usage: protocol_test [seed] [rounds]
 */
#include "protocol.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static unsigned long long rng_state;
static int failures;

static unsigned rnd(void) {
    rng_state = rng_state * 6364136223846793005ULL + 1442695040888963407ULL;
    return (unsigned) (rng_state >> 33);
}

#define CHECK(cond, ...) do { if (!(cond)) { failures++; fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__); \
    fprintf(stderr, __VA_ARGS__); fputc('\n', stderr); } } while (0)

/* A heap copy of exactly n bytes (n may be 0: then a 1-byte block whose byte is never valid input). */
static unsigned char *exact(const unsigned char *src, size_t n) {
    unsigned char *p = malloc(n ? n : 1);
    if (!p) abort();
    if (n) memcpy(p, src, n);
    return p;
}

static size_t put_frame(unsigned char *out, int type, uint32_t id, const unsigned char *payload, size_t len) {
    put32(out, (uint32_t) (FRAME_HEADER - 4 + len));
    out[4] = (unsigned char) type;
    put32(out + 5, id);
    if (len) memcpy(out + FRAME_HEADER, payload, len);
    return FRAME_HEADER + len;
}

/* Random valid frames, concatenated and fed in random chunks, come out whole and in order. */
static void random_frame_streams(int rounds) {
    for (int round = 0; round < rounds; round++) {
        int count = 1 + (int) (rnd() % 8);
        size_t lens[8];
        int types[8];
        uint32_t ids[8];
        size_t total = 0;
        for (int i = 0; i < count; i++) {
            lens[i] = rnd() % 5 == 0 ? 0 : rnd() % 3000;
            types[i] = (int) (rnd() % 256);
            ids[i] = rnd() * 2654435761u;
            total += FRAME_HEADER + lens[i];
        }
        unsigned char *stream = malloc(total);
        unsigned char *payloads = malloc(total);
        size_t off = 0;
        for (int i = 0; i < count; i++) {
            for (size_t k = 0; k < lens[i]; k++) payloads[off + k] = (unsigned char) rnd();
            put_frame(stream + off, types[i], ids[i], payloads + off, lens[i]);
            off += FRAME_HEADER + lens[i];
        }
        /* the agent's loop: bytes arrive in pieces, complete frames are taken from the front */
        unsigned char *buf = NULL;
        size_t have = 0, fed = 0;
        int seen = 0;
        while (fed < total || have > 0) {
            size_t piece = fed < total ? 1 + rnd() % 700 : 0;
            if (piece > total - fed) piece = total - fed;
            unsigned char *grown = malloc(have + piece ? have + piece : 1);
            if (have) memcpy(grown, buf, have);
            memcpy(grown + have, stream + fed, piece);
            free(buf);
            buf = grown;
            have += piece;
            fed += piece;
            unsigned char *view = exact(buf, have);
            size_t at = 0;
            for (;;) {
                struct frame f;
                size_t need = 0;
                enum frame_status st = frame_parse(view + at, have - at, &f, &need);
                CHECK(st != FRAME_BAD, "a valid stream was called bad (round %d)", round);
                if (st != FRAME_OK) {
                    CHECK(need > have - at, "need %zu with %zu bytes there", need, have - at);
                    break;
                }
                CHECK(seen < count, "more frames than were written");
                if (seen >= count) break;
                CHECK(f.type == types[seen] && f.id == ids[seen] && f.len == lens[seen], "frame %d differs", seen);
                size_t poff = 0;
                for (int i = 0; i < seen; i++) poff += FRAME_HEADER + lens[i];
                CHECK(f.len == 0 || memcmp(f.payload, payloads + poff, f.len) == 0, "payload of frame %d", seen);
                at += f.size;
                seen++;
            }
            free(view);
            memmove(buf, buf + at, have - at);
            have -= at;
            if (fed == total && at == 0) break;
        }
        CHECK(seen == count, "saw %d of %d frames", seen, count);
        CHECK(have == 0, "%zu bytes left over", have);
        free(buf);
        free(stream);
        free(payloads);
    }
}

/* Every prefix of a frame is incomplete and says how much is needed; no prefix is read past its end. */
static void truncated_frames(int rounds) {
    for (int round = 0; round < rounds; round++) {
        size_t len = rnd() % 200;
        unsigned char whole[FRAME_HEADER + 200];
        unsigned char payload[200];
        for (size_t k = 0; k < len; k++) payload[k] = (unsigned char) rnd();
        size_t size = put_frame(whole, (int) (rnd() % 30), rnd(), payload, len);
        for (size_t cut = 0; cut < size; cut++) {
            unsigned char *p = exact(whole, cut);
            struct frame f;
            size_t need = 0;
            enum frame_status st = frame_parse(p, cut, &f, &need);
            CHECK(st == FRAME_INCOMPLETE, "prefix %zu of %zu was not incomplete", cut, size);
            CHECK(need == (cut < FRAME_HEADER ? (size_t) FRAME_HEADER : size), "need %zu for prefix %zu", need, cut);
            free(p);
        }
        unsigned char *p = exact(whole, size);
        struct frame f;
        CHECK(frame_parse(p, size, &f, NULL) == FRAME_OK && f.size == size, "whole frame");
        free(p);
    }
}

/* Length fields the agent must refuse: shorter than type + id, or longer than MAX_FRAME. */
static void bad_lengths(void) {
    uint32_t bad[] = {0, 1, 4, MAX_FRAME + 1u, 0x7fffffffu, 0x80000000u, 0xffffffffu};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        unsigned char h[FRAME_HEADER] = {0};
        put32(h, bad[i]);
        unsigned char *p = exact(h, sizeof h);
        struct frame f;
        CHECK(frame_parse(p, sizeof h, &f, NULL) == FRAME_BAD, "length %u accepted", bad[i]);
        free(p);
    }
    unsigned char h[FRAME_HEADER] = {0};
    put32(h, MAX_FRAME);
    size_t need = 0;
    struct frame f;
    CHECK(frame_parse(h, sizeof h, &f, &need) == FRAME_INCOMPLETE && need == 4 + (size_t) MAX_FRAME, "MAX_FRAME");
}

static size_t put_str(unsigned char *out, const char *s, size_t n) {
    put32(out, (uint32_t) n);
    memcpy(out + 4, s, n);
    return 4 + n;
}

/* A well-formed exec request decodes to what was encoded; each of its truncations is malformed. */
static void exec_requests(void) {
    unsigned char b[256];
    size_t n = 0;
    put32(b, F_PTY); n += 4;
    put32(b + n, 2); n += 4;
    n += put_str(b + n, "echo", 4);
    n += put_str(b + n, "a b", 3);
    put32(b + n, 1); n += 4;
    n += put_str(b + n, "PATH=/bin", 9);
    n += put_str(b + n, "/tmp", 4);
    unsigned char *p = exact(b, n);
    struct cur c = {p, n, 0};
    struct exec_req r;
    CHECK(decode_exec(&c, &r) == 0, "valid exec request refused");
    CHECK(r.flags == F_PTY && !strcmp(r.argv[0], "echo") && !strcmp(r.argv[1], "a b") && !r.argv[2], "argv");
    CHECK(!strcmp(r.envp[0], "PATH=/bin") && !r.envp[1] && !strcmp(r.cwd, "/tmp"), "env, cwd");
    free_exec(&r);
    free(p);
    for (size_t cut = 0; cut < n; cut++) {
        unsigned char *q = exact(b, cut);
        struct cur t = {q, cut, 0};
        CHECK(decode_exec(&t, &r) < 0 && t.bad, "truncated exec request (%zu of %zu) accepted", cut, n);
        CHECK(!r.argv && !r.envp && !r.cwd, "truncated exec request left allocations behind");
        free(q);
    }
    /* no program name */
    size_t m = 0;
    put32(b, 0); m += 4;
    put32(b + m, 0); m += 4;
    put32(b + m, 0); m += 4;
    m += put_str(b + m, "", 0);
    struct cur e = {b, m, 0};
    CHECK(decode_exec(&e, &r) < 0, "exec without argv accepted");
    /* an embedded NUL in argv, env or cwd: malformed, never silently shortened */
    for (int which = 0; which < 3; which++) {
        size_t k = 0;
        put32(b, 0); k += 4;
        put32(b + k, 1); k += 4;
        k += put_str(b + k, which == 0 ? "ec\0ho" : "echo", which == 0 ? 5 : 4);
        put32(b + k, 1); k += 4;
        k += put_str(b + k, which == 1 ? "A=b\0c" : "A=bc", which == 1 ? 5 : 4);
        k += put_str(b + k, which == 2 ? "/t\0mp" : "/tmp", which == 2 ? 5 : 4);
        unsigned char *q = exact(b, k);
        struct cur t = {q, k, 0};
        CHECK(decode_exec(&t, &r) < 0, "a NUL inside string %d was accepted", which);
        free(q);
    }
    /* a string count the payload cannot hold */
    put32(b, 0);
    put32(b + 4, MAX_STRINGS);
    struct cur big = {b, 8, 0};
    CHECK(decode_exec(&big, &r) < 0, "huge argv count accepted");
}

/* Mount requests with and without the optional alias; a truncated alias is malformed. */
static void mount_requests(void) {
    unsigned char b[128];
    size_t n = 0;
    put32(b, 1); n += 4;
    n += put_str(b + n, "ws0", 3);
    n += put_str(b + n, "/real/dir", 9);
    size_t without = n;
    n += put_str(b + n, "/given", 6);
    unsigned char *p = exact(b, without);
    struct cur c = {p, without, 0};
    struct mount_req m;
    CHECK(decode_mount(&c, &m) == 0 && m.ro == 1 && !strcmp(m.tag, "ws0") && !strcmp(m.path, "/real/dir") && !m.alias,
          "mount without alias");
    free_mount(&m);
    free(p);
    p = exact(b, n);
    struct cur d = {p, n, 0};
    CHECK(decode_mount(&d, &m) == 0 && m.alias && !strcmp(m.alias, "/given"), "mount with alias");
    free_mount(&m);
    free(p);
    for (size_t cut = without + 1; cut < n; cut++) {
        unsigned char *q = exact(b, cut);
        struct cur t = {q, cut, 0};
        CHECK(decode_mount(&t, &m) < 0, "truncated alias (%zu of %zu) accepted", cut, n);
        free(q);
    }
}

/* Random bytes through every decoder: never a read out of bounds, never a leak, bad or not. */
static void random_payloads(int rounds) {
    for (int round = 0; round < rounds; round++) {
        size_t n = rnd() % 96;
        unsigned char raw[96];
        for (size_t k = 0; k < n; k++) raw[k] = (unsigned char) (rnd() % 4 == 0 ? rnd() % 8 : rnd());
        unsigned char *p = exact(raw, n);
        struct cur c = {p, n, 0};
        struct exec_req e;
        if (decode_exec(&c, &e) == 0) free_exec(&e);
        struct cur w = {p, n, 0};
        struct write_req wr;
        if (decode_write(&w, &wr) == 0) {
            CHECK(wr.data + wr.len == p + n, "write data does not end at the payload's end");
            free(wr.path);
        }
        struct cur m = {p, n, 0};
        struct mount_req mr;
        if (decode_mount(&m, &mr) == 0) free_mount(&mr);
        struct cur s = {p, n, 0};
        char **v = cur_strv(&s);
        free_strv(v);
        struct cur u = {p, n, 0};
        while (!u.bad) cur_u32(&u);
        CHECK(u.n < 4, "cursor went bad with %zu bytes left", u.n);
        free(p);
    }
}

int main(int argc, char **argv) {
    rng_state = argc > 1 ? strtoull(argv[1], NULL, 10) : 42;
    int rounds = argc > 2 ? atoi(argv[2]) : 2000;
    printf("seed %llu, %d rounds\n", rng_state, rounds);
    random_frame_streams(rounds);
    truncated_frames(rounds / 4);
    bad_lengths();
    exec_requests();
    mount_requests();
    random_payloads(rounds * 20);
    if (failures) {
        fprintf(stderr, "%d failures\n", failures);
        return 1;
    }
    printf("ok\n");
    return 0;
}
