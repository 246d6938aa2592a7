package dev.keel.sandbox.internal;

/**
 * The guest agent protocol's frame types and limits, mirroring {@code src/main/c/agent/protocol.h} (the one
 * definition; a test reads that header and fails when the two disagree). Frames are
 * {@code u32 length | u8 type | u32 id | payload}, big endian; strings are {@code u32 length | bytes}.
 */
final class AgentProtocol {
    private AgentProtocol() {}

    // host -> guest requests
    static final int T_EXEC = 1;
    static final int T_STDIN = 2;
    static final int T_SIGNAL = 3;
    static final int T_READ = 4;
    static final int T_WRITE = 5;
    static final int T_LIST = 6;
    static final int T_SHUTDOWN = 7;
    static final int T_PING = 8;
    static final int T_MOUNT = 9;
    static final int T_RESIZE = 10;
    static final int T_NET_LISTEN = 11;
    static final int T_RESUMED = 12;
    static final int T_ROOT = 13;
    static final int T_QUIESCE = 14;
    // guest -> host replies and events
    static final int T_STARTED = 20;
    static final int T_STDOUT = 21;
    static final int T_STDERR = 22;
    static final int T_EXIT = 23;
    static final int T_ERROR = 24;
    static final int T_OK = 25;
    static final int T_READY = 26;
    // both directions: a TCP connection to the guest's proxy port
    static final int T_CONN_OPEN = 27;
    static final int T_CONN_DATA = 28;
    static final int T_CONN_CLOSE = 29;

    /** Frame header: u32 length + u8 type + u32 id. */
    static final int FRAME_HEADER = 9;
    /** Largest value of a frame's length field. */
    static final int MAX_FRAME = 64 << 20;
    /** Most strings one string list (argv, env) may hold. */
    static final int MAX_STRINGS = 65536;
    /** EXEC flag: run on a pseudo-terminal. */
    static final int F_PTY = 1;
    /** EXEC flag: no input will come; the command's stdin is at end of file from the start. */
    static final int F_NO_STDIN = 2;
    /** EXEC flag: the host does not need the pid; no STARTED frame (EXIT or ERROR is the only answer). */
    static final int F_NO_STARTED = 4;
    /** Request ids with this bit set are guest-initiated network connections. */
    static final int CONN_ID_BIT = 0x80000000;
}
