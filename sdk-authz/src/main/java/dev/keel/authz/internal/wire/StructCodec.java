package dev.keel.authz.internal.wire;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code google.protobuf.Struct} / {@code Value} for caveat context: maps, lists, strings, numbers,
 * booleans (and null inside lists/maps on decode). Stateless.
 */
final class StructCodec {
    private StructCodec() {
    }

    /** Struct { map<string, Value> fields = 1; } */
    static ProtoWriter struct(Map<String, ?> map) {
        ProtoWriter w = new ProtoWriter();
        for (Map.Entry<String, ?> e : map.entrySet()) {
            w.message(1, new ProtoWriter().stringAlways(1, e.getKey()).message(2, value(e.getValue())));
        }
        return w;
    }

    /** Value { oneof kind { NullValue null_value = 1; double number_value = 2; string string_value = 3; bool bool_value = 4; Struct struct_value = 5; ListValue list_value = 6; } } */
    private static ProtoWriter value(Object v) {
        ProtoWriter w = new ProtoWriter();
        if (v == null) {
            w.varintAlways(1, 0);
        } else if (v instanceof Number n) {
            w.doubleValue(2, n.doubleValue());
        } else if (v instanceof CharSequence s) {
            w.stringAlways(3, s.toString());
        } else if (v instanceof Boolean b) {
            w.varintAlways(4, b ? 1 : 0);
        } else if (v instanceof Map<?, ?> m) {
            Map<String, Object> copy = new LinkedHashMap<>();
            m.forEach((k, x) -> copy.put(String.valueOf(k), x));
            w.message(5, struct(copy));
        } else if (v instanceof Iterable<?> list) {
            ProtoWriter l = new ProtoWriter();
            for (Object x : list) {
                l.message(1, value(x));
            }
            w.message(6, l);
        } else {
            throw new IllegalArgumentException("caveat context values must be strings, numbers, booleans, lists or maps, got "
                    + v.getClass().getName());
        }
        return w;
    }

    static Map<String, Object> readStruct(ProtoReader r) {
        Map<String, Object> out = new LinkedHashMap<>();
        while (r.next()) {
            if (r.field() == 1) {
                ProtoReader entry = r.message();
                String key = "";
                Object value = null;
                while (entry.next()) {
                    switch (entry.field()) {
                        case 1 -> key = entry.string();
                        case 2 -> value = readValue(entry.message());
                        default -> entry.skip();
                    }
                }
                out.put(key, value);
            }
        }
        return out;
    }

    private static Object readValue(ProtoReader r) {
        Object v = null;
        while (r.next()) {
            switch (r.field()) {
                case 1 -> {
                    r.varint();
                    v = null;
                }
                case 2 -> v = r.doubleValue();
                case 3 -> v = r.string();
                case 4 -> v = r.varint() != 0;
                case 5 -> v = readStruct(r.message());
                case 6 -> {
                    List<Object> list = new ArrayList<>();
                    ProtoReader l = r.message();
                    while (l.next()) {
                        if (l.field() == 1) {
                            list.add(readValue(l.message()));
                        }
                    }
                    v = list;
                }
                default -> r.skip();
            }
        }
        return v;
    }
}
