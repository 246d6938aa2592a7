/*
 * The state the JVM shares with keel-fsguard (LD_PRELOADed into qemu): a file in the sandbox's private run
 * directory, mapped by both. Native byte order. The JVM writes the limits and roots before qemu starts; the
 * guard updates the counters atomically. dev.keel.sandbox.internal.WorkspaceGuard mirrors this layout.
 */
#ifndef KEEL_FSGUARD_H
#define KEEL_FSGUARD_H

#include <stdint.h>

#define FSG_MAGIC 0x4746534bu /* "KSFG" read as little-endian bytes K S F G */
#define FSG_VERSION 1u
#define FSG_SIZE 4096

struct fsg_state {
    uint32_t magic;
    uint32_t version;
    int64_t byte_limit;     /* net bytes the sandbox may add to its workspaces (apparent size) */
    int64_t file_limit;     /* net directory entries it may add */
    int64_t bytes_used;     /* updated by the guard */
    int64_t files_used;
    int64_t refused;        /* writes and creations refused for the limits */
    uint32_t root_count;    /* read-write workspace roots (real paths) that follow, NUL-terminated */
    char roots[];
};

#endif
