package dev.keel.authz.internal.wire;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * A minimal protobuf (proto3) encoder: varints, strings, bools and nested messages. Default values
 * are omitted, as proto3 does. Not thread-safe; one instance per message.
 */
public final class ProtoWriter {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream(64);

    /** Writes a string field (omitted when empty). */
    public ProtoWriter string(int field, String value) {
        if (value != null && !value.isEmpty()) {
            bytes(field, value.getBytes(StandardCharsets.UTF_8));
        }
        return this;
    }

    /** Writes a varint field (omitted when zero). */
    public ProtoWriter varint(int field, long value) {
        if (value != 0) {
            tag(field, 0);
            rawVarint(value);
        }
        return this;
    }

    /** Writes a bool field (omitted when false). */
    public ProtoWriter bool(int field, boolean value) {
        return varint(field, value ? 1 : 0);
    }

    /** Writes a double field (always, since a zero inside a oneof is meaningful). */
    public ProtoWriter doubleValue(int field, double value) {
        tag(field, 1);
        long bits = Double.doubleToRawLongBits(value);
        for (int i = 0; i < 8; i++) {
            out.write((int) (bits >>> (8 * i)) & 0xFF);
        }
        return this;
    }

    /** Writes a varint field even when it is zero (oneof members). */
    public ProtoWriter varintAlways(int field, long value) {
        tag(field, 0);
        rawVarint(value);
        return this;
    }

    /** Writes a string field even when it is empty (oneof members). */
    public ProtoWriter stringAlways(int field, String value) {
        return bytes(field, value.getBytes(StandardCharsets.UTF_8));
    }

    /** Writes a nested message (written even when empty, because presence matters for oneofs). */
    public ProtoWriter message(int field, ProtoWriter nested) {
        return bytes(field, nested.toByteArray());
    }

    private ProtoWriter bytes(int field, byte[] value) {
        tag(field, 2);
        rawVarint(value.length);
        out.write(value, 0, value.length);
        return this;
    }

    private void tag(int field, int wireType) {
        rawVarint(((long) field << 3) | wireType);
    }

    private void rawVarint(long value) {
        while ((value & ~0x7FL) != 0) {
            out.write((int) ((value & 0x7F) | 0x80));
            value >>>= 7;
        }
        out.write((int) value);
    }

    /** The encoded message. */
    public byte[] toByteArray() {
        return out.toByteArray();
    }
}
