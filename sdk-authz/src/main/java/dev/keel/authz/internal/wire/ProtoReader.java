package dev.keel.authz.internal.wire;

import java.nio.charset.StandardCharsets;

/**
 * A minimal protobuf decoder over a byte array. Usage: {@code while (r.next()) switch (r.field()) ...},
 * reading the value of each field of interest and calling {@link #skip()} for the rest. Not
 * thread-safe.
 */
public final class ProtoReader {
    private final byte[] buf;
    private int pos;
    private final int end;
    private int field;
    private int wireType;
    private boolean consumed = true;

    /** Reads {@code buf} entirely. */
    public ProtoReader(byte[] buf) {
        this(buf, 0, buf.length);
    }

    private ProtoReader(byte[] buf, int from, int to) {
        this.buf = buf;
        this.pos = from;
        this.end = to;
    }

    /** Advances to the next field; false at the end. Skips an unread previous value. */
    public boolean next() {
        if (!consumed) {
            skip();
        }
        if (pos >= end) {
            return false;
        }
        long tag = readRawVarint();
        field = (int) (tag >>> 3);
        wireType = (int) (tag & 7);
        consumed = false;
        return true;
    }

    /** The current field number. */
    public int field() {
        return field;
    }

    /** Reads the current varint value. */
    public long varint() {
        expect(0);
        consumed = true;
        return readRawVarint();
    }

    /** Reads the current 64-bit fixed value as a double. */
    public double doubleValue() {
        expect(1);
        consumed = true;
        if (pos + 8 > end) {
            throw new WireFormatException("truncated double");
        }
        long bits = 0;
        for (int i = 0; i < 8; i++) {
            bits |= (long) (buf[pos + i] & 0xFF) << (8 * i);
        }
        pos += 8;
        return Double.longBitsToDouble(bits);
    }

    /** Reads the current length-delimited value as a UTF-8 string. */
    public String string() {
        int len = length();
        String s = new String(buf, pos, len, StandardCharsets.UTF_8);
        pos += len;
        return s;
    }

    /** Returns a reader over the current length-delimited value (a nested message). */
    public ProtoReader message() {
        int len = length();
        ProtoReader nested = new ProtoReader(buf, pos, pos + len);
        pos += len;
        return nested;
    }

    /** Skips the current value. */
    public void skip() {
        consumed = true;
        switch (wireType) {
            case 0 -> readRawVarint();
            case 1 -> pos += 8;
            case 2 -> {
                int len = (int) readRawVarint();
                pos += len;
            }
            case 5 -> pos += 4;
            default -> throw new WireFormatException("unsupported wire type " + wireType + " for field " + field);
        }
        if (pos > end) {
            throw new WireFormatException("truncated message");
        }
    }

    private int length() {
        expect(2);
        consumed = true;
        int len = (int) readRawVarint();
        if (len < 0 || pos + len > end) {
            throw new WireFormatException("truncated length-delimited field " + field);
        }
        return len;
    }

    private void expect(int type) {
        if (wireType != type) {
            throw new WireFormatException("field " + field + " has wire type " + wireType + ", expected " + type);
        }
    }

    private long readRawVarint() {
        long result = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            if (pos >= end) {
                throw new WireFormatException("truncated varint");
            }
            byte b = buf[pos++];
            result |= (long) (b & 0x7F) << shift;
            if ((b & 0x80) == 0) {
                return result;
            }
        }
        throw new WireFormatException("malformed varint");
    }
}
