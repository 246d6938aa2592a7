package dev.keel.sandbox.internal;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Collection;

/** Builds request payloads: big-endian u32s and length-prefixed strings/bytes. Not thread-safe. */
final class Payload {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    Payload u32(int v) {
        out.write(v >>> 24);
        out.write(v >>> 16);
        out.write(v >>> 8);
        out.write(v);
        return this;
    }

    Payload string(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        u32(b.length);
        out.writeBytes(b);
        return this;
    }

    Payload strings(Collection<String> values) {
        u32(values.size());
        values.forEach(this::string);
        return this;
    }

    Payload raw(byte[] b) {
        out.writeBytes(b);
        return this;
    }

    byte[] bytes() {
        return out.toByteArray();
    }
}
