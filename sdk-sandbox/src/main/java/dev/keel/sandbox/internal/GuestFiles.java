package dev.keel.sandbox.internal;

import dev.keel.sandbox.FileEntry;
import dev.keel.sandbox.SandboxFileException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** File operations inside the guest, carried out by the agent: read, write, list. Thread-safe. */
final class GuestFiles {
    private static final Duration FILE_OP_TIMEOUT = Duration.ofSeconds(60);

    private final AgentConnection agent;
    private final String sandbox;

    GuestFiles(AgentConnection agent, String sandbox) {
        this.agent = agent;
        this.sandbox = sandbox;
    }

    byte[] read(String path) {
        return call(AgentProtocol.T_READ, new Payload().string(absolute(path)).bytes(), path).payload();
    }

    void write(String path, byte[] content) {
        call(AgentProtocol.T_WRITE, new Payload().u32(0644).string(absolute(path)).raw(content).bytes(), path);
    }

    List<FileEntry> list(String path) {
        return decodeListing(call(AgentProtocol.T_LIST, new Payload().string(absolute(path)).bytes(), path).payload());
    }

    /** Entries as the agent sends them: u8 kind, u64 size, u32 mode, string name; sorted by name. */
    static List<FileEntry> decodeListing(byte[] b) {
        ByteBuffer buf = ByteBuffer.wrap(b);
        List<FileEntry> entries = new ArrayList<>();
        while (buf.remaining() >= 17) {
            int kind = buf.get();
            long size = buf.getLong();
            int mode = buf.getInt();
            int nameLength = buf.getInt();
            if (nameLength < 0 || nameLength > buf.remaining()) {
                break;
            }
            byte[] name = new byte[nameLength];
            buf.get(name);
            FileEntry.Type type = switch (kind) {
                case 0 -> FileEntry.Type.FILE;
                case 1 -> FileEntry.Type.DIRECTORY;
                case 2 -> FileEntry.Type.SYMLINK;
                default -> FileEntry.Type.OTHER;
            };
            entries.add(new FileEntry(new String(name, StandardCharsets.UTF_8), type, size, mode));
        }
        entries.sort((a, c) -> a.name().compareTo(c.name()));
        return entries;
    }

    private static String absolute(String path) {
        if (path == null || !path.startsWith("/") || path.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("guest path must be absolute, was: " + path);
        }
        return path;
    }

    private AgentConnection.Frame call(int type, byte[] payload, String path) {
        try {
            return agent.request(type, payload, FILE_OP_TIMEOUT);
        } catch (AgentConnection.AgentError e) {
            throw new SandboxFileException(e.getMessage());
        } catch (IOException e) {
            throw new SandboxFileException("file operation on " + path + " in sandbox " + sandbox + " failed: "
                    + e.getMessage(), e);
        }
    }
}
