package dev.keel.authz.internal.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

class ProtoWireTest {

    @Property(tries = 300)
    void fieldsRoundTrip(@ForAll long number, @ForAll String text, @ForAll double d) {
        byte[] bytes = new ProtoWriter().varint(1, number).stringAlways(2, text).doubleValue(3, d)
                .message(4, new ProtoWriter().varint(1, 7)).toByteArray();
        ProtoReader r = new ProtoReader(bytes);
        long readNumber = 0;
        String readText = null;
        double readDouble = Double.NaN;
        long nested = 0;
        while (r.next()) {
            switch (r.field()) {
                case 1 -> readNumber = r.varint();
                case 2 -> readText = r.string();
                case 3 -> readDouble = r.doubleValue();
                case 4 -> {
                    ProtoReader n = r.message();
                    while (n.next()) {
                        nested = n.varint();
                    }
                }
                default -> r.skip();
            }
        }
        assertThat(readNumber).isEqualTo(number);
        assertThat(readText).isEqualTo(text);
        assertThat(Double.doubleToLongBits(readDouble)).isEqualTo(Double.doubleToLongBits(d));
        assertThat(nested).isEqualTo(7);
    }

    @Test
    void structRoundTrips() {
        Map<String, Object> context = new LinkedHashMap<>();
        context.put("s", "day");
        context.put("n", 2.5);
        context.put("b", true);
        context.put("l", List.of("a", 1.0));
        context.put("m", Map.of("k", "v"));
        ProtoReader r = new ProtoReader(StructCodec.struct(context).toByteArray());
        assertThat(StructCodec.readStruct(r)).isEqualTo(context);
    }

    @Test
    void truncatedInputIsATypedError() {
        byte[] bytes = new ProtoWriter().stringAlways(1, "hello").toByteArray();
        byte[] cut = java.util.Arrays.copyOf(bytes, bytes.length - 2);
        assertThatThrownBy(() -> {
            ProtoReader r = new ProtoReader(cut);
            while (r.next()) {
                r.string();
            }
        }).isInstanceOf(WireFormatException.class).hasMessageContaining("truncated");
    }
}
